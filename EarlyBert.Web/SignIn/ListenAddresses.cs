using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Whether the dashboard listens only on loopback, read from the addresses the server actually bound (so
/// <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c> and Kestrel endpoints all count).
/// </summary>
public sealed class ListenAddresses(IServer server)
{
    private bool? loopbackOnly;

    /// <summary>
    /// True when every bound address is loopback; known once the server has started (until then, and when there is
    /// no address at all, false: sign-in is required rather than risked).
    /// </summary>
    public bool LoopbackOnly => loopbackOnly ?? Read();

    /// <summary>The bound addresses that are not loopback.</summary>
    public IReadOnlyList<string> Beyond =>
        [.. (server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Where(a => !IsLoopback(a))];

    /// <summary>Whether <paramref name="address"/> (e.g. <c>http://127.0.0.1:5100</c>, <c>http://[::]:8080</c>, <c>http://+:80</c>) is loopback only.</summary>
    public static bool IsLoopback(string address)
    {
        // Wildcards (+, *, 0.0.0.0, [::]) do not parse as URIs with those hosts in every form: take the host by hand.
        var rest = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..] : address;
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']'))] : rest.Split([':', '/'], 2)[0];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    private bool Read()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0) return false;
        // Bound addresses do not change once the server has started.
        loopbackOnly = addresses.All(IsLoopback);
        return loopbackOnly.Value;
    }
}
