using System.Reflection;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>Where the tracker build and the AppHost's server scripts are, as recorded when this program was built.</summary>
public static class BuildPaths
{
    /// <summary>
    /// The built tracker (<c>EarlyBert.Tracker.dll</c> of the same configuration);
    /// <c>EARLYBERT_CHAOS_TRACKER_DLL</c> names another.
    /// </summary>
    public static string TrackerDll =>
        Environment.GetEnvironmentVariable("EARLYBERT_CHAOS_TRACKER_DLL") is { Length: > 0 } path ? path : Metadata("EarlyBert.Chaos.TrackerDll");

    /// <summary>EarlyBert.AppHost/Infrastructure/Scripts (postgres.sh, ceph.sh).</summary>
    public static string Scripts => Metadata("EarlyBert.Chaos.Scripts");

    private static string Metadata(string key) =>
        typeof(BuildPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
