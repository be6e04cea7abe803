namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// The Debian/Ubuntu packages whose programs the local-process infrastructure runs, and which of them are missing.
/// </summary>
public static class LocalPackages
{
    private static readonly (string Package, Func<bool> IsInstalled)[] Required =
    [
        ("postgresql", () => Directory.Exists("/usr/lib/postgresql") &&
            Directory.EnumerateFiles("/usr/lib/postgresql", "initdb", SearchOption.AllDirectories).Any()),
        ("ceph-mon", () => OnPath("ceph-mon") && OnPath("ceph") && OnPath("monmaptool")),
        ("ceph-osd", () => OnPath("ceph-osd")),
        ("radosgw", () => OnPath("radosgw") && OnPath("radosgw-admin")),
        ("uuid-runtime", () => OnPath("uuidgen")),
    ];

    /// <summary>Packages to install, in install order; empty when everything is there.</summary>
    public static IReadOnlyList<string> FindMissing() =>
        Required.Where(requirement => !requirement.IsInstalled()).Select(requirement => requirement.Package).ToList();

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
}
