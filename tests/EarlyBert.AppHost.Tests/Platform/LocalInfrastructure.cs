using System.Net;
using System.Net.Sockets;

namespace EarlyBert.AppHost.Tests.Platform;

/// <summary>
/// The AppHost's local infrastructure for one test platform: PostgreSQL and Ceph as processes over a fresh state
/// folder, on free ports, so that several platforms (and a developer's own) can run side by side.
/// </summary>
internal static class LocalInfrastructure
{
    /// <summary>A fresh state folder named after <paramref name="prefix"/>.</summary>
    public static string CreateStateDirectory(string prefix)
    {
        var folder = Directory.CreateTempSubdirectory(prefix).FullName;
        // The local PostgreSQL runs as the postgres user, which must be able to reach its data folder.
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        return folder;
    }

    /// <summary>The AppHost arguments that put the infrastructure in <paramref name="stateDirectory"/> on free ports.</summary>
    public static string[] Arguments(string stateDirectory) =>
    [
        "--Infrastructure:Mode=local",
        $"--Infrastructure:StateDirectory={stateDirectory}",
        $"--Infrastructure:PostgresPort={FreePort()}",
        $"--Infrastructure:CephMonitorPort={FreePort()}",
        $"--Infrastructure:S3Port={FreePort()}",
    ];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
