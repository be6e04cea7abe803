using System.Net;
using System.Net.Sockets;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a server we must not stop (the shared S3): "the server is down" is the proxy
/// resetting every open connection and every new one until it is restored.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<Socket> open = [];
    private readonly Task accepting;
    private volatile bool cut;

    /// <summary>Starts forwarding loopback connections to <paramref name="upstream"/>.</summary>
    public TcpProxy(Uri upstream)
    {
        upstreamHost = upstream.Host;
        upstreamPort = upstream.Port;
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Resets every open connection and refuses new ones (by resetting them) until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        cut = true;
        Socket[] sockets;
        lock (gate)
        {
            sockets = [.. open];
            open.Clear();
        }

        foreach (var socket in sockets)
        {
            Reset(socket);
        }
    }

    /// <summary>Forwards connections again.</summary>
    public void Restore() => cut = false;

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (cut)
            {
                Reset(client);
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp);
        lock (gate)
        {
            open.Add(client);
            open.Add(upstream);
        }

        try
        {
            await upstream.ConnectAsync(upstreamHost, upstreamPort, stopping.Token);
            await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            lock (gate)
            {
                open.Remove(client);
                open.Remove(upstream);
            }

            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, stopping.Token)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), stopping.Token);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // Linger 0 makes Close send RST: the client sees "connection reset", as when a server dies.
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Stops accepting and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Cut();
        await accepting;
        stopping.Dispose();
    }
}
