using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static EarlyBert.Tracker.Tests.Events.TrackerReplicas;

namespace EarlyBert.Tracker.Tests.Runs;

/// <summary>
/// Crash detection with more than one replica (one sweeps, the advisory lock decides) and after an outage (a grace of
/// one heartbeat timeout). Own fixture: these tests move the clock past the heartbeat timeout.
/// </summary>
public sealed class CrashDetectorReplicaTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task One_of_two_replicas_runs_crash_detection_and_the_other_takes_over_when_it_stops_or_loses_its_connection()
    {
        var first = tracker.Replica();
        await using var second = tracker.Replica();
        _ = first.Services;
        _ = second.Services;
        await WaitUntilAsync(async () => await LockHoldersAsync() == 1 && Detector(first).IsActive != Detector(second).IsActive,
            "exactly one replica holds the crash detection lock");

        // The connections of both are cut: PostgreSQL releases the lock, and a replica takes it again.
        Assert.Equal(2, await tracker.TerminateConnectionsAsync(CrashDetector.ApplicationName));
        await WaitUntilAsync(async () => await LockHoldersAsync() == 1 && Detector(first).IsActive != Detector(second).IsActive,
            "one replica holds the lock again", () => tracker.Time.Advance(TimeSpan.FromSeconds(1)));

        // The holder stops: the standby takes over at its next try.
        var (active, standby) = Detector(first).IsActive ? (first, second) : (second, first);
        await active.DisposeAsync();
        await WaitUntilAsync(async () => await LockHoldersAsync() == 1 && Detector(standby).IsActive,
            "the standby took over", () => tracker.Time.Advance(TimeSpan.FromSeconds(1)));
        if (!ReferenceEquals(active, first))
        {
            await first.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_an_outage_runs_whose_workers_are_alive_are_not_marked_crashed_and_silent_ones_are_after_the_grace()
    {
        await using var replica = tracker.Replica();
        var client = ClientOf(replica);
        var experiment = $"exp-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        var alive = await client.CreateRunAsync(new CreateRun(experiment, null, RunStatuses.Running), CancellationToken.None);
        var silent = await client.CreateRunAsync(new CreateRun(experiment, null, RunStatuses.Running), CancellationToken.None);
        // Their last heartbeats were stored ten minutes before this tracker started: it was down meanwhile.
        await tracker.CountAsync("UPDATE runs SET heartbeat_at = $1 WHERE id = ANY($2)",
            tracker.Time.GetUtcNow() - TimeSpan.FromMinutes(10), new[] { alive.Id, silent.Id });
        await WaitUntilAsync(() => Task.FromResult(Detector(replica).IsActive), "the replica runs crash detection");

        // 50 s after start: both are "silent" for over ten minutes by their stored heartbeats, yet inside the grace.
        tracker.Time.Advance(TimeSpan.FromSeconds(50));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(RunStatuses.Running, (await client.GetRunAsync(silent.Id, CancellationToken.None)).Status);
        Assert.Equal(RunStatuses.Running, (await client.GetRunAsync(alive.Id, CancellationToken.None)).Status);

        // The live worker beats again; the grace ends at 60 s, and the next sweep finds only the silent run.
        await client.SendRunHeartbeatAsync(alive.Id, CancellationToken.None);
        tracker.Time.Advance(TimeSpan.FromSeconds(20));
        await WaitUntilAsync(async () => (await client.GetRunAsync(silent.Id, CancellationToken.None)).Status == RunStatuses.Crashed,
            "the silent run is marked crashed");
        Assert.Equal(RunStatuses.Running, (await client.GetRunAsync(alive.Id, CancellationToken.None)).Status);
    }

    private static CrashDetector Detector(WebApplicationFactory<Program> replica) =>
        replica.Services.GetServices<IHostedService>().OfType<CrashDetector>().Single();

    private Task<long> LockHoldersAsync() => tracker.CountAsync(
        """
        SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name = $1
        """,
        CrashDetector.ApplicationName);
}
