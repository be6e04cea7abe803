namespace EarlyBert.Chaos.Scenarios;

/// <summary>How much each scenario does; the program's defaults, smaller in tests.</summary>
/// <param name="Writers">Concurrent metric writers (one run each).</param>
/// <param name="BatchesPerWriter">Batches each writer sends.</param>
/// <param name="PointsPerBatch">Points per batch.</param>
/// <param name="BatchPause">Pause between a writer's batches, so that ingest lasts through the faults.</param>
/// <param name="Faults">Tracker kills, or PostgreSQL restarts, per scenario.</param>
/// <param name="Outage">How long PostgreSQL, S3 or the tracker stays down per fault.</param>
/// <param name="Subscribers">Idle live-update subscribers.</param>
/// <param name="MalformedRequests">Whether malformed requests are sent during the faults.</param>
public sealed record ChaosSettings(
    int Writers = 8,
    int BatchesPerWriter = 40,
    int PointsPerBatch = 250,
    TimeSpan? BatchPause = null,
    int Faults = 3,
    TimeSpan? Outage = null,
    int Subscribers = 1000,
    bool MalformedRequests = true)
{
    /// <summary>Pause between batches (default 100 ms).</summary>
    public TimeSpan Pause => BatchPause ?? TimeSpan.FromMilliseconds(100);

    /// <summary>Outage length (default 2 s).</summary>
    public TimeSpan Down => Outage ?? TimeSpan.FromSeconds(2);
}
