using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

/// <summary>Own fixture: moving the clock past the heartbeat timeout would crash other classes' running runs.</summary>
public sealed class CrashDetectionTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Running_run_without_heartbeat_past_the_timeout_is_marked_crashed_with_the_reason()
    {
        var client = tracker.Client();
        var silent = await tracker.NewRunAsync(RunStatuses.Running);
        var alive = await tracker.NewRunAsync(RunStatuses.Running);
        var queued = await tracker.NewRunAsync(RunStatuses.Queued);

        // 50 s: nobody is late yet. Then the live run beats and 20 s more pass: only the silent run is 70 s late.
        tracker.Time.Advance(TimeSpan.FromSeconds(50));
        await client.SendRunHeartbeatAsync(alive.Id, CancellationToken.None);
        Assert.Equal(RunStatuses.Running, (await client.GetRunAsync(silent.Id, CancellationToken.None)).Status);
        tracker.Time.Advance(TimeSpan.FromSeconds(20));

        var crashed = await WaitForStatusAsync(client, silent.Id, RunStatuses.Crashed);
        Assert.Contains("no heartbeat for 60 s", crashed.StatusReason);
        Assert.Equal(tracker.Time.GetUtcNow(), crashed.EndedAt);
        Assert.Equal(RunStatuses.Running, (await client.GetRunAsync(alive.Id, CancellationToken.None)).Status);
        Assert.Equal(RunStatuses.Queued, (await client.GetRunAsync(queued.Id, CancellationToken.None)).Status);

        var beat = await client.SendRunHeartbeatAsync(silent.Id, CancellationToken.None);
        Assert.Equal(RunStatuses.Crashed, beat.Status);
    }

    private static async Task<Run> WaitForStatusAsync(EarlyBert.Tracker.Client.TrackerClient client, Guid runId, string status)
    {
        // The sweep runs on the detector's own task once the fake clock ticks; give it real time to finish.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var run = await client.GetRunAsync(runId, CancellationToken.None);
            if (run.Status == status)
            {
                return run;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Run {runId} did not become {status}.");
        return null!;
    }
}
