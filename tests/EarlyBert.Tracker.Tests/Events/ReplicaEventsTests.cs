using System.Threading.Channels;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using static EarlyBert.Tracker.Tests.Events.TrackerReplicas;

namespace EarlyBert.Tracker.Tests.Events;

/// <summary>Two replicas on one database: events cross between them through PostgreSQL LISTEN/NOTIFY.</summary>
public sealed class ReplicaEventsTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Subscriber_on_one_replica_sees_batches_and_status_changes_written_through_another()
    {
        await using var first = tracker.Replica();
        await using var second = tracker.Replica();
        var run = await NewRunAsync(second);
        await WaitUntilListeningAsync(first);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await WatchAsync(first, run.Id, timeout.Token);

        await ClientOf(second).LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 2), new MetricPoint("loss", 1, 1)]), CancellationToken.None);
        await ClientOf(second).UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);

        var metrics = await events.ReadAsync(timeout.Token);
        Assert.Equal((RunEvent.MetricsLogged, run.Id), (metrics.Type, metrics.RunId));
        var latest = Assert.Single(metrics.Metrics!);
        Assert.Equal(("loss", 1L, 1.0, 2L), (latest.Key, latest.Step, latest.Value, latest.PointCount));
        var status = await events.ReadAsync(timeout.Token);
        Assert.Equal((RunEvent.StatusChanged, RunStatuses.Finished), (status.Type, status.Status));
    }

    [Fact]
    public async Task Metrics_event_too_large_for_one_notification_reaches_the_other_replica_in_pieces_with_every_key()
    {
        await using var first = tracker.Replica();
        await using var second = tracker.Replica();
        var run = await NewRunAsync(second);
        await WaitUntilListeningAsync(first);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = await WatchAsync(first, run.Id, timeout.Token);
        // 400 keys of 100 characters: about 60 KB of latest values, far beyond PostgreSQL's 8,000-byte payload.
        var keys = Enumerable.Range(0, 400).Select(i => $"layer_{i:D3}/" + new string('x', 90)).ToList();

        await ClientOf(second).LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), keys.Select(k => new MetricPoint(k, 0, 0.5)).ToList()), CancellationToken.None);

        var received = new List<string>();
        var pieces = 0;
        while (received.Count < keys.Count)
        {
            var piece = await events.ReadAsync(timeout.Token);
            Assert.Equal(RunEvent.MetricsLogged, piece.Type);
            received.AddRange(piece.Metrics!.Select(m => m.Key));
            pieces++;
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
        Assert.InRange(pieces, 8, 64);
    }

    [Fact]
    public async Task Subscriber_gets_a_resync_when_its_replica_lost_the_listening_connection_and_then_events_again()
    {
        await using var first = tracker.Replica();
        await using var second = tracker.Replica();
        var run = await NewRunAsync(second);
        await WaitUntilListeningAsync(first);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = await WatchAsync(first, run.Id, timeout.Token);

        Assert.True(await tracker.TerminateConnectionsAsync(RunEventListener.ApplicationName) >= 2);
        // The listeners reconnect after a backoff on the tracker's clock; a batch written meanwhile is missed.
        RunEvent? resync = null;
        await WaitUntilAsync(
            () => Task.FromResult(events.TryRead(out resync)),
            "the subscriber gets a resync",
            () => tracker.Time.Advance(TimeSpan.FromMilliseconds(500)));
        Assert.Equal((RunEventBroadcaster.Resync, run.Id), (resync!.Type, resync.RunId));

        await WaitUntilListeningAsync(first);
        await ClientOf(second).LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 3)]), CancellationToken.None);
        var metrics = await events.ReadAsync(timeout.Token);
        Assert.Equal((RunEvent.MetricsLogged, 3.0), (metrics.Type, Assert.Single(metrics.Metrics!).Value));
    }

    private static async Task<Run> NewRunAsync(WebApplicationFactory<Program> replica)
    {
        var client = ClientOf(replica);
        var experiment = $"exp-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        return await client.CreateRunAsync(new CreateRun(experiment, null, RunStatuses.Running), CancellationToken.None);
    }

    /// <summary>Subscribes on <paramref name="replica"/> and returns its events after "ready", as they arrive.</summary>
    private static async Task<ChannelReader<RunEvent>> WatchAsync(WebApplicationFactory<Program> replica, Guid runId, CancellationToken cancellationToken)
    {
        var received = Channel.CreateUnbounded<RunEvent>();
        var ready = new TaskCompletionSource();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var runEvent in ClientOf(replica).WatchEventsAsync(runId, cancellationToken))
                {
                    if (runEvent.Type == EventsApi.Ready)
                    {
                        ready.TrySetResult();
                    }
                    else
                    {
                        await received.Writer.WriteAsync(runEvent, cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception exception)
            {
                ready.TrySetException(exception);
                received.Writer.TryComplete(exception);
            }
        }, cancellationToken);
        await ready.Task.WaitAsync(cancellationToken);
        return received.Reader;
    }
}
