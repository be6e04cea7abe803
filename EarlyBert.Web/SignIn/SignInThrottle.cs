using System.Net;
using Microsoft.Extensions.Options;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Counts failed password sign-ins per user name and per client address over a sliding window
/// (<see cref="SignInLimitsOptions"/>). Once either has used up its failures, sign-ins for it are refused, the right
/// password included (otherwise the refusal would still answer guesses), until its oldest counted failure expires.
/// </summary>
/// <remarks>
/// An attempt counts as failed from the moment it begins (<see cref="TryBegin"/>) until it signs in
/// (<see cref="Succeeded"/>): checking a password takes PBKDF2's time, and guesses sent in parallel must all count.
/// </remarks>
public sealed class SignInThrottle(IOptions<SignInLimitsOptions> options, TimeProvider time)
{
    // Names and addresses an attacker makes up cost memory: past this many, expired ones are dropped (once a minute).
    private const int PruneAbove = 10_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> failures = new(StringComparer.Ordinal);
    private DateTimeOffset prunedAt;

    /// <summary>
    /// Begins a sign-in of <paramref name="userName"/> from <paramref name="client"/>: null when it may go ahead (it
    /// counts as a failure until <see cref="Succeeded"/>), else how long until it may try again (nothing counted).
    /// </summary>
    public TimeSpan? TryBegin(string userName, IPAddress? client)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        var user = UserKey(userName);
        var address = client is null ? null : ClientKey(client);
        lock (gate)
        {
            var userWait = Wait(user, limits.PerUser, now);
            var clientWait = address is null ? null : Wait(address, limits.PerClient, now);
            if (userWait is not null || clientWait is not null)
            {
                return TimeSpan.FromTicks(Math.Max(userWait?.Ticks ?? 0, clientWait?.Ticks ?? 0));
            }

            Add(user, now);
            if (address is not null)
            {
                Add(address, now);
            }

            if (failures.Count > PruneAbove && now - prunedAt > TimeSpan.FromMinutes(1))
            {
                Prune(now);
                prunedAt = now;
            }

            return null;
        }
    }

    /// <summary>The attempt begun by <see cref="TryBegin"/> signed in: it does not count, and the name's failures are forgotten.</summary>
    public void Succeeded(string userName, IPAddress? client)
    {
        lock (gate)
        {
            failures.Remove(UserKey(userName));
            if (client is not null && failures.TryGetValue(ClientKey(client), out var counted) && counted.Count > 0)
            {
                counted.RemoveAt(counted.Count - 1);
            }
        }
    }

    private static string UserKey(string userName) => "user:" + userName;

    // One IPv6 client usually holds a whole /64, so the /64 is the client.
    private static string ClientKey(IPAddress client)
    {
        var address = client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "client:" + Convert.ToHexString(address.GetAddressBytes().AsSpan(0, 8)) + "/64"
            : "client:" + address;
    }

    private void Add(string key, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out var counted))
        {
            failures[key] = counted = [];
        }

        counted.Add(now);
    }

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out var counted))
        {
            return null;
        }

        Expire(counted, now);
        // The oldest failures leave the window first; the attempt may go ahead once fewer than the limit remain.
        return counted.Count < limit ? null : counted[counted.Count - limit] + options.Value.Window - now;
    }

    private void Expire(List<DateTimeOffset> counted, DateTimeOffset now)
    {
        var expired = counted.FindIndex(at => at + options.Value.Window > now);
        counted.RemoveRange(0, expired < 0 ? counted.Count : expired);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, counted) in failures)
        {
            Expire(counted, now);
            if (counted.Count == 0)
            {
                failures.Remove(key);
            }
        }
    }
}
