using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Counts failed password sign-ins per user name and per client address over a sliding window
/// (<see cref="SignInLimitsOptions"/>). Once either has used up its failures, sign-ins for it are refused, the right
/// password included (otherwise the refusal would still answer guesses), until its oldest counted failure expires.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInLimitsOptions> options, TimeProvider time)
{
    // Names and addresses an attacker makes up cost memory; past this many, expired entries are dropped.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> failures = new(StringComparer.Ordinal);

    /// <summary>How long until <paramref name="userName"/> from <paramref name="client"/> may try again; null: now.</summary>
    public TimeSpan? RetryAfter(string userName, string? client)
    {
        var limits = options.Value;
        var now = time.GetUtcNow();
        var user = Wait(UserKey(userName), limits.PerUser, now);
        var address = client is null ? null : Wait(ClientKey(client), limits.PerClient, now);
        return user is null ? address : address is null ? user : TimeSpan.FromTicks(Math.Max(user.Value.Ticks, address.Value.Ticks));
    }

    /// <summary>Counts a failed sign-in of <paramref name="userName"/> from <paramref name="client"/>.</summary>
    public void Failed(string userName, string? client)
    {
        var now = time.GetUtcNow();
        Add(UserKey(userName), now);
        if (client is not null)
        {
            Add(ClientKey(client), now);
        }

        if (failures.Count > PruneAbove)
        {
            Prune(now);
        }
    }

    /// <summary>Forgets the failures of <paramref name="userName"/>, who has just signed in.</summary>
    public void Succeeded(string userName) => failures.TryRemove(UserKey(userName), out _);

    private static string UserKey(string userName) => "user:" + userName;

    private static string ClientKey(string client) => "client:" + client;

    private void Add(string key, DateTimeOffset now)
    {
        var queue = failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            queue.Enqueue(now);
        }
    }

    private TimeSpan? Wait(string key, int limit, DateTimeOffset now)
    {
        if (!failures.TryGetValue(key, out var queue))
        {
            return null;
        }

        lock (queue)
        {
            Expire(queue, now);
            // The oldest failures leave the window first; the attempt is allowed once fewer than the limit remain.
            return queue.Count < limit ? null : queue.ElementAt(queue.Count - limit) + options.Value.Window - now;
        }
    }

    private void Expire(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + options.Value.Window <= now)
        {
            queue.Dequeue();
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, queue) in failures)
        {
            lock (queue)
            {
                Expire(queue, now);
                if (queue.Count == 0)
                {
                    failures.TryRemove(key, out _);
                }
            }
        }
    }
}
