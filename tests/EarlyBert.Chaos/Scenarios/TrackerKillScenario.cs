using EarlyBert.Chaos.Infrastructure;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// (a) The tracker SIGKILLed and started again, several times, while the writers log metrics with retries (and
/// malformed requests fly): every point must be stored exactly once.
/// </summary>
public static class TrackerKillScenario
{
    /// <summary>Runs the scenario on a tracker of its own.</summary>
    public static async Task<Tally> RunAsync(ChaosPlatform platform, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var tally = new Tally("tracker SIGKILLed during ingest");
        await using var tracker = platform.NewTracker("kill");
        await tracker.StartAsync(cancellationToken);
        using var client = new ChaosClient(tracker.BaseAddress, platform.ApiKey, tally);
        var runs = await client.CreateRunsAsync($"chaos-kill-{Guid.NewGuid():N}"[..24], settings.Writers, cancellationToken);
        var writers = new MetricWriters(client, tally, runs, settings.BatchesPerWriter, settings.PointsPerBatch);
        using var stopMalformed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var malformed = settings.MalformedRequests
            ? (await MalformedRequests.LoadAsync(client, cancellationToken)).RunAsync(client, tally, TimeSpan.FromMilliseconds(20), stopMalformed.Token)
            : Task.CompletedTask;

        var ingest = writers.RunAsync(settings.Pause, cancellationToken);
        for (var fault = 0; fault < settings.Faults && !ingest.IsCompleted; fault++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            await tracker.KillAsync();
            tally.Fault();
            await Task.Delay(settings.Down, cancellationToken);
            var restart = System.Diagnostics.Stopwatch.StartNew();
            await tracker.StartAsync(cancellationToken);
            tally.Latency("tracker restart", restart.Elapsed);
        }

        await ingest;
        await stopMalformed.CancelAsync();
        await malformed;
        await using var database = await platform.OpenDatabaseAsync(tracker, cancellationToken);
        await writers.VerifyAsync(database, cancellationToken);
        return tally;
    }
}
