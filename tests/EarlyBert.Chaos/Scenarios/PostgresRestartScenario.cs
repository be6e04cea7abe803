using EarlyBert.Chaos.Infrastructure;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// (b) PostgreSQL stopped (fast shutdown) and started again during ingest: the tracker answers 503 while it is
/// down, recovers without a restart of its own, and the writers' retries store every point exactly once.
/// </summary>
public static class PostgresRestartScenario
{
    /// <summary>How long after PostgreSQL is back a 503 still counts as the outage's.</summary>
    public static readonly TimeSpan Recovery = TimeSpan.FromSeconds(10);

    /// <summary>Runs the scenario on a tracker of its own.</summary>
    public static async Task<Tally> RunAsync(ChaosPlatform platform, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var tally = new Tally("PostgreSQL restarted during ingest");
        await using var tracker = platform.NewTracker("pg");
        await tracker.StartAsync(cancellationToken);
        var trackerProcess = tracker.ProcessId;
        using var client = new ChaosClient(tracker.BaseAddress, platform.ApiKey, tally);
        var runs = await client.CreateRunsAsync($"chaos-pg-{Guid.NewGuid():N}"[..24], settings.Writers, cancellationToken);
        var writers = new MetricWriters(client, tally, runs, settings.BatchesPerWriter, settings.PointsPerBatch);
        using var stopMalformed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var malformed = settings.MalformedRequests
            ? (await MalformedRequests.LoadAsync(client, cancellationToken)).RunAsync(client, tally, TimeSpan.FromMilliseconds(20), stopMalformed.Token)
            : Task.CompletedTask;

        var ingest = writers.RunAsync(settings.Pause, cancellationToken);
        for (var fault = 0; fault < settings.Faults && !ingest.IsCompleted; fault++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            tally.OutageBegins();
            await platform.Postgres.StopAsync();
            tally.Fault();
            await Task.Delay(settings.Down, cancellationToken);
            await platform.Postgres.StartAsync(cancellationToken);
            tally.OutageEnds(Recovery);
            var recovery = await TimeUntilHealthyAsync(client, cancellationToken);
            tally.Latency("recovery after PostgreSQL start", recovery);
        }

        await ingest;
        await stopMalformed.CancelAsync();
        await malformed;
        if (tracker.ProcessId != trackerProcess)
        {
            tally.Fail($"The tracker process changed ({trackerProcess} → {tracker.ProcessId?.ToString() ?? "none"}): it did not survive the restarts.");
        }

        await using var database = await platform.OpenDatabaseAsync(tracker, cancellationToken);
        await writers.VerifyAsync(database, cancellationToken);
        return tally;
    }

    // From PostgreSQL accepting connections again to the tracker's /health answering 200.
    private static async Task<TimeSpan> TimeUntilHealthyAsync(ChaosClient client, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await client.Http.GetAsync("health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50, cancellationToken);
        }

        return watch.Elapsed;
    }
}
