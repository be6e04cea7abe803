using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Training.Training;

namespace EarlyBert.Trainer.Runs;

/// <summary>
/// Records a run in the tracker through the durable spool: every call appends to disk (fsync) and returns; the
/// spool's drainer sends in order, retrying with the same batch ids, so training never waits on the network and
/// nothing is lost while the tracker is down.
/// </summary>
internal sealed class TrackerRecorder(RunSpool spool, Guid runId) : IRunRecorder
{
    private volatile bool stopRequested;

    /// <summary>
    /// The highest step the tracker already holds per metric key, for a resumed run: points up to it were logged
    /// before the interruption (metric points are append-only), so they are not sent again.
    /// </summary>
    public IReadOnlyDictionary<string, long> AlreadyLogged { get; set; } = new Dictionary<string, long>();

    /// <summary>The run being recorded.</summary>
    public Guid RunId => runId;

    /// <inheritdoc />
    public bool StopRequested => stopRequested;

    /// <summary>Asks the job to stop at its next step (a cancel request or a run that is no longer running).</summary>
    public void RequestStop() => stopRequested = true;

    /// <inheritdoc />
    public void LogParams(IReadOnlyDictionary<string, string> values)
    {
        // The tracker takes at most this many params per batch; a config flattens to fewer, but split anyway.
        foreach (var chunk in values.Chunk(500))
            spool.AppendBatch(runId, new RunBatch(Guid.NewGuid(), Params: chunk.ToDictionary(p => p.Key, p => p.Value)));
    }

    /// <inheritdoc />
    public void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values) =>
        spool.AppendBatch(runId, new RunBatch(Guid.NewGuid(), Metadata: values.ToDictionary(
            p => p.Key, p => JsonSerializer.SerializeToElement(p.Value))));

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyList<MetricSample> samples)
    {
        var points = samples
            .Where(s => !AlreadyLogged.TryGetValue(s.Key, out var logged) || s.Step > logged)
            .Select(s => new MetricPoint(s.Key, s.Step, s.Value, s.Epoch, s.Timestamp))
            .ToList();
        if (points.Count == 0) return;
        spool.AppendBatch(runId, new RunBatch(Guid.NewGuid(), Series: MetricColumns.From(points)));
    }

    /// <inheritdoc />
    public void LogArtifact(string path, string file, string contentType) => spool.AppendArtifact(runId, path, file, contentType);

    /// <summary>Stores the resolved config on the run (in order with everything else).</summary>
    public void StoreConfig(RunConfig config) =>
        spool.AppendStatus(runId, new UpdateRun(Config: JsonSerializer.SerializeToElement(RunConfigJson.ToNode(config))));

    /// <summary>Ends the run with <paramref name="status"/> once everything before it has been sent.</summary>
    public void End(string status, string? reason) => spool.AppendStatus(runId, new UpdateRun(Status: status, StatusReason: reason));
}
