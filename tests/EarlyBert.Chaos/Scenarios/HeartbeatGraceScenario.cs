using EarlyBert.Chaos.Infrastructure;
using Npgsql;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// (d) A tracker outage longer than the heartbeat timeout (5 s here): runs whose workers kept heart-beating
/// throughout should not be marked crashed after the tracker's restart (a grace since its start), while a run whose
/// worker is silent still is. Either way round is a failure.
/// </summary>
public static class HeartbeatGraceScenario
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs the scenario on a tracker of its own.</summary>
    public static async Task<Tally> RunAsync(ChaosPlatform platform, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var tally = new Tally("tracker down longer than the heartbeat timeout");
        await using var tracker = platform.NewTracker("grace", new Dictionary<string, string>
        {
            ["Tracker__HeartbeatTimeout"] = "00:00:05",
            ["Tracker__CrashSweepInterval"] = "00:00:00.500",
        });
        await tracker.StartAsync(cancellationToken);
        using var client = new ChaosClient(tracker.BaseAddress, platform.ApiKey, tally, TimeSpan.FromSeconds(5));
        var runs = await client.CreateRunsAsync($"chaos-grace-{Guid.NewGuid():N}"[..24], 5, cancellationToken);
        var (alive, silent) = (runs[..4], runs[4]);

        using var stopBeating = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeats = Task.WhenAll(alive.Select(run => BeatAsync(client, run, stopBeating.Token)));
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await tracker.KillAsync();
        tally.Fault();
        await Task.Delay(Timeout + TimeSpan.FromSeconds(3), cancellationToken);
        await tracker.StartAsync(cancellationToken);
        // Past the timeout after the restart: by then a silent run must have been caught, grace or not.
        await Task.Delay(Timeout + TimeSpan.FromSeconds(3), cancellationToken);
        await stopBeating.CancelAsync();
        await heartbeats;

        await using var database = await platform.OpenDatabaseAsync(tracker, cancellationToken);
        var statuses = await StatusesAsync(database, runs, cancellationToken);
        var crashedAlive = alive.Count(run => statuses[run] == "crashed");
        tally.Note($"runs with live workers marked crashed after a {Timeout.TotalSeconds + 3:0} s outage: {crashedAlive} of {alive.Length} (expected 0)");
        tally.Note($"run with a silent worker: {statuses[silent]} (expected crashed)");
        if (crashedAlive > 0)
        {
            tally.Fail($"{crashedAlive} of {alive.Length} runs whose workers kept heart-beating were marked crashed after the outage");
        }

        if (statuses[silent] != "crashed")
        {
            tally.Fail($"the run whose worker fell silent is {statuses[silent]}, not crashed, {Timeout.TotalSeconds + 3:0} s after the restart");
        }
        return tally;
    }

    private static async Task BeatAsync(ChaosClient client, Guid run, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                using var response = await client.TrySendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"api/runs/{run}/heartbeat"), "heartbeat", cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<Dictionary<Guid, string>> StatusesAsync(NpgsqlConnection database, Guid[] runs, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, status FROM runs WHERE id = ANY($1)", database);
        command.Parameters.AddWithValue(runs);
        var statuses = new Dictionary<Guid, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetGuid(0)] = reader.GetString(1);
        }

        return statuses;
    }
}
