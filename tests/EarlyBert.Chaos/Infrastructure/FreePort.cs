using System.Net;
using System.Net.Sockets;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>Loopback ports nobody listens on.</summary>
public static class FreePort
{
    /// <summary>A port the system just handed out and took back.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
