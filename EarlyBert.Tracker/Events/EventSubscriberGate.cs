using System.Net;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// Counts open event streams, in total and per client (remote IP address), and refuses a stream beyond
/// <see cref="EventStreamOptions"/>: idle streams cost no thread, but each holds a socket and a buffer, and one
/// client must not take them all.
/// </summary>
public sealed class EventSubscriberGate(IOptions<EventStreamOptions> options)
{
    private readonly Dictionary<string, int> perClient = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private int total;

    /// <summary>Why a stream was refused.</summary>
    public enum Refusal
    {
        /// <summary>Admitted.</summary>
        None,

        /// <summary>This client holds <see cref="EventStreamOptions.MaxEventSubscribersPerClient"/> streams.</summary>
        ClientFull,

        /// <summary>The tracker holds <see cref="EventStreamOptions.MaxEventSubscribers"/> streams.</summary>
        TrackerFull,
    }

    /// <summary>Takes a slot for <paramref name="client"/>; the returned lease gives it back when disposed.</summary>
    public (IDisposable? Lease, Refusal Refusal) TryEnter(IPAddress? client)
    {
        // In-process test servers have no address; they count as one client.
        var key = client?.ToString() ?? "";
        var limits = options.Value;
        lock (gate)
        {
            if (total >= limits.MaxEventSubscribers)
            {
                return (null, Refusal.TrackerFull);
            }

            perClient.TryGetValue(key, out var held);
            if (held >= limits.MaxEventSubscribersPerClient)
            {
                return (null, Refusal.ClientFull);
            }

            perClient[key] = held + 1;
            total++;
        }

        return (new Lease(this, key), Refusal.None);
    }

    private void Leave(string key)
    {
        lock (gate)
        {
            total--;
            if (--perClient[key] == 0)
            {
                perClient.Remove(key);
            }
        }
    }

    private sealed class Lease(EventSubscriberGate owner, string key) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Leave(key);
            }
        }
    }
}
