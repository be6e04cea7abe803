using System.Collections.Concurrent;
using System.Threading.Channels;
using EarlyBert.Tracker.Client.Events;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// Fans run events out to every live subscriber (dashboards on the server-sent events endpoints), on this replica
/// at once and on every other replica through PostgreSQL <c>NOTIFY</c> (<see cref="RunEventNotifier"/> sends,
/// <see cref="RunEventListener"/> receives). Publishing only queues: a writer never waits for PostgreSQL or for a
/// subscriber, and a slow subscriber loses its oldest events rather than slowing anyone down.
/// </summary>
public sealed class RunEventBroadcaster(ILogger<RunEventBroadcaster> logger)
{
    /// <summary>Event type sent to every subscriber when events from other replicas may have been missed.</summary>
    public const string Resync = RunEvent.Resync;

    private const int SubscriberBuffer = 1024;
    // Notifications waiting to be sent; while PostgreSQL is away the oldest go first (their subscribers get a resync).
    private const int OutboxSize = 10_000;
    private readonly ConcurrentDictionary<Subscription, byte> subscriptions = new();
    private readonly Channel<string> outbox = System.Threading.Channels.Channel.CreateBounded<string>(
        new BoundedChannelOptions(OutboxSize) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private long sequence;

    /// <summary>This replica's identity in notifications, so it skips its own.</summary>
    internal Guid Origin { get; } = Guid.NewGuid();

    /// <summary>Payloads for <see cref="RunEventNotifier"/> to send.</summary>
    internal ChannelReader<string> Outbox => outbox.Reader;

    /// <summary>Number of live subscribers on this replica.</summary>
    public int SubscriberCount => subscriptions.Count;

    /// <summary>Announces <paramref name="runEvent"/> to the subscribers interested in its run, on every replica.</summary>
    public void Publish(RunEvent runEvent)
    {
        foreach (var (piece, payload) in RunEventNotifications.Encode(runEvent, Origin, () => Interlocked.Increment(ref sequence)))
        {
            Deliver(piece);
            outbox.Writer.TryWrite(payload);
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

    /// <summary>Hands an event to this replica's subscribers of its run.</summary>
    internal void Deliver(RunEvent runEvent)
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
    /// Tells every subscriber that events from other replicas may have been missed (this replica was not listening
    /// for a while), so what they show must be read again.
    /// </summary>
    internal void SendResync(DateTimeOffset at)
    {
        foreach (var subscription in subscriptions.Keys)
        {
            subscription.Channel.Writer.TryWrite(new RunEvent(Resync, subscription.RunId ?? Guid.Empty, null, null, at));
        }
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
