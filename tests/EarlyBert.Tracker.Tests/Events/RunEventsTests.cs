using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Events;

public sealed class RunEventsTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Watcher_of_a_run_receives_its_new_metric_points_and_status_changes_only()
    {
        var client = tracker.Client();
        var run = await tracker.NewRunAsync();
        var other = await tracker.NewRunAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<RunEvent>();
        var ready = new TaskCompletionSource();

        var watching = Task.Run(async () =>
        {
            await foreach (var runEvent in tracker.Client().WatchEventsAsync(run.Id, timeout.Token))
            {
                if (runEvent.Type == "ready")
                {
                    ready.SetResult();
                    continue;
                }

                received.Add(runEvent);
                if (runEvent.Type == RunEvent.StatusChanged)
                {
                    return;
                }
            }
        });
        await ready.Task.WaitAsync(timeout.Token);

        await client.LogBatchAsync(other.Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 9)]), CancellationToken.None);
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 2), new MetricPoint("loss", 1, 1)]), CancellationToken.None);
        await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);
        await watching.WaitAsync(timeout.Token);

        Assert.Equal([RunEvent.MetricsLogged, RunEvent.StatusChanged], received.Select(e => e.Type));
        Assert.All(received, e => Assert.Equal(run.Id, e.RunId));
        var latest = Assert.Single(received[0].Metrics!);
        Assert.Equal((1L, 1.0, 2L), (latest.Step, latest.Value, latest.PointCount));
        Assert.Equal(RunStatuses.Finished, received[1].Status);
    }
}
