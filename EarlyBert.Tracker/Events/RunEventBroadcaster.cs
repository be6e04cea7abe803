using System.Collections.Concurrent;
using System.Threading.Channels;
using EarlyBert.Tracker.Client.Events;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// Fans run events out to every live subscriber (dashboards on the server-sent events endpoints). In-process:
/// each tracker instance announces what passes through it. A slow subscriber loses its oldest events rather than
/// slowing writers down.
/// </summary>
public sealed class RunEventBroadcaster(ILogger<RunEventBroadcaster> logger)
{
    private const int SubscriberBuffer = 1024;
    private readonly ConcurrentDictionary<Subscription, byte> subscriptions = new();

    /// <summary>Announces <paramref name="runEvent"/> to the subscribers interested in its run.</summary>
    public void Publish(RunEvent runEvent)
    {
        foreach (var subscription in subscriptions.Keys)
        {
            if (subscription.RunId is null || subscription.RunId == runEvent.RunId)
            {
                subscription.Channel.Writer.TryWrite(runEvent);
            }
        }
    }

    /// <summary>
    /// Starts receiving the events of <paramref name="runId"/> (or of every run when null); events published from
    /// now on are buffered until read. Dispose the subscription to stop.
    /// </summary>
    public Subscription Subscribe(Guid? runId)
    {
        var subscription = new Subscription(this, runId);
        subscriptions.TryAdd(subscription, 0);
        logger.LogDebug("Event subscriber joined for run {RunId}; {Count} subscribed", runId, subscriptions.Count);
        return subscription;
    }

    /// <summary>One subscriber's buffered events.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly RunEventBroadcaster owner;

        internal Subscription(RunEventBroadcaster owner, Guid? runId)
        {
            this.owner = owner;
            RunId = runId;
        }

        internal Guid? RunId { get; }

        internal Channel<RunEvent> Channel { get; } = System.Threading.Channels.Channel.CreateBounded<RunEvent>(
            new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        /// <summary>The events as they arrive, until <paramref name="cancellationToken"/> is cancelled.</summary>
        public IAsyncEnumerable<RunEvent> ReadAllAsync(CancellationToken cancellationToken) => Channel.Reader.ReadAllAsync(cancellationToken);

        /// <inheritdoc />
        public void Dispose()
        {
            owner.subscriptions.TryRemove(this, out _);
            Channel.Writer.TryComplete();
        }
    }
}
