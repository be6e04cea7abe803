using System.Text.Json;
using System.Text.Json.Serialization;

namespace EarlyBert.Tracker.Client.Runs;

/// <summary>The lifecycle states of a run and the transitions between them.</summary>
public static class RunStatuses
{
    /// <summary>Created and waiting for a worker to claim it.</summary>
    public const string Queued = "queued";

    /// <summary>A worker trains it and sends heartbeats.</summary>
    public const string Running = "running";

    /// <summary>Training completed.</summary>
    public const string Finished = "finished";

    /// <summary>The worker reported an error.</summary>
    public const string Failed = "failed";

    /// <summary>The worker stopped sending heartbeats; the tracker marked the run.</summary>
    public const string Crashed = "crashed";

    /// <summary>Cancelled on request.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>Every status, in lifecycle order.</summary>
    public static IReadOnlyList<string> All { get; } = [Queued, Running, Finished, Failed, Crashed, Cancelled];

    /// <summary>Whether <paramref name="status"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string status) => All.Contains(status, StringComparer.Ordinal);

    /// <summary>Whether a run in <paramref name="status"/> has ended and can change no more.</summary>
    public static bool IsTerminal(string status) =>
        status is Finished or Failed or Crashed or Cancelled;

    /// <summary>
    /// Whether a run may move from <paramref name="from"/> to <paramref name="to"/>: queued to running, cancelled
    /// or failed; running to finished, failed, crashed or cancelled; crashed back to queued (a retry). Other ended
    /// runs never move.
    /// </summary>
    public static bool CanMove(string from, string to) => (from, to) switch
    {
        (Queued, Running or Cancelled or Failed) => true,
        (Running, Finished or Failed or Crashed or Cancelled) => true,
        // A crashed run is re-queued by the tracker when its config allows retries (training.retries).
        (Crashed, Queued) => true,
        _ => false,
    };
}

/// <summary>One run as listed by the tracker.</summary>
/// <param name="Id">Run id.</param>
/// <param name="Experiment">Name of the experiment the run belongs to.</param>
/// <param name="Name">Human-readable run name.</param>
/// <param name="Status">Lifecycle status: queued, running, finished, failed, crashed or cancelled.</param>
/// <param name="CreatedAt">When the run was created.</param>
/// <param name="StartedAt">When the run started running.</param>
/// <param name="EndedAt">When the run ended.</param>
/// <param name="WorkerId">The worker that runs or ran it.</param>
/// <param name="ParentRunId">The run this one reproduces, if any.</param>
/// <param name="Params">
/// The values of the params the list asked for (<c>params=a,b</c>), keyed by param key; keys the run lacks are absent.
/// Null when the list asked for none.
/// </param>
/// <param name="Metrics">
/// The latest values of the metrics the list asked for (<c>metrics=c,d</c>), keyed by metric key; keys the run lacks
/// are absent. Null when the list asked for none.
/// </param>
/// <param name="Verdict">
/// For a reproduction (<c>POST /api/runs/{id}/reproduce</c>): <c>identical</c>, <c>within tolerance</c>,
/// <c>diverged at step N</c> or <c>not reproduced</c> once it has ended; null for other runs and while it runs.
/// </param>
public sealed record RunSummary(
    Guid Id,
    string Experiment,
    string Name,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null,
    string? WorkerId = null,
    Guid? ParentRunId = null,
    IReadOnlyDictionary<string, string>? Params = null,
    IReadOnlyDictionary<string, double>? Metrics = null,
    string? Verdict = null);

/// <summary>The keys that runs use, each list sorted and without repeats: what a run list can show as columns or filter on.</summary>
/// <param name="Params">Param keys.</param>
/// <param name="Metrics">Metric keys.</param>
/// <param name="Tags">Tag keys.</param>
/// <param name="Metadata">Metadata keys.</param>
public sealed record RunKeys(IReadOnlyList<string> Params, IReadOnlyList<string> Metrics, IReadOnlyList<string> Tags, IReadOnlyList<string> Metadata);

/// <summary>A page of runs.</summary>
/// <param name="Runs">The runs on this page, in the requested order (newest first by default).</param>
/// <param name="TotalCount">How many runs match in all.</param>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, long TotalCount);

/// <summary>Everything the tracker knows about one run except its metric points and artifacts.</summary>
/// <param name="Id">Run id.</param>
/// <param name="Experiment">Experiment name.</param>
/// <param name="Name">Run name.</param>
/// <param name="Status">Lifecycle status.</param>
/// <param name="StatusReason">Why the run is in its status (an error message, "no heartbeat for 60 s").</param>
/// <param name="CreatedAt">When the run was created.</param>
/// <param name="StartedAt">When it started running.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="HeartbeatAt">The last heartbeat of its worker.</param>
/// <param name="WorkerId">The worker that runs or ran it.</param>
/// <param name="ParentRunId">The run this one reproduces.</param>
/// <param name="Config">The complete resolved configuration.</param>
/// <param name="Notes">Free-form notes.</param>
/// <param name="CancelRequested">Whether cancellation was requested while it was running.</param>
/// <param name="Tags">Tags (key to value).</param>
/// <param name="Params">Parameters (key to value).</param>
/// <param name="Metadata">Environment and version facts.</param>
/// <param name="Metrics">The latest value of each metric.</param>
/// <param name="Reproduction">For a run made by <c>POST /api/runs/{id}/reproduce</c>: its overrides and verdict; else null.</param>
public sealed record Run(
    Guid Id,
    string Experiment,
    string Name,
    string Status,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? HeartbeatAt,
    string? WorkerId,
    Guid? ParentRunId,
    JsonElement Config,
    string Notes,
    bool CancelRequested,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, JsonElement> Metadata,
    IReadOnlyList<Metrics.MetricLatest> Metrics,
    RunReproduction? Reproduction = null);

/// <summary>A new run.</summary>
/// <param name="Experiment">Name of an existing experiment.</param>
/// <param name="Name">Run name; a generated one when empty.</param>
/// <param name="Status"><c>queued</c> (default: a worker will claim it) or <c>running</c> (the caller runs it).</param>
/// <param name="Config">The complete resolved configuration (a JSON object).</param>
/// <param name="ParentRunId">The run this one reproduces.</param>
/// <param name="Notes">Free-form notes.</param>
/// <param name="Tags">Initial tags.</param>
/// <param name="WorkerId">The worker that runs it, when created as running.</param>
public sealed record CreateRun(
    string Experiment,
    string? Name = null,
    string? Status = null,
    JsonElement? Config = null,
    Guid? ParentRunId = null,
    string? Notes = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? WorkerId = null);

/// <summary>A change to a run; absent members stay as they are.</summary>
/// <param name="Status">New status; must be a legal transition (the same status again is a no-op).</param>
/// <param name="StatusReason">Why (an error message for <c>failed</c>).</param>
/// <param name="Notes">New notes.</param>
/// <param name="Tags">Tags to set (overwriting those with the same key).</param>
/// <param name="Config">
/// The resolved configuration, replacing the stored one (a JSON object); only while the run is queued or running,
/// so that the worker can store what it resolved (defaults, step counts) before training starts.
/// </param>
public sealed record UpdateRun(
    string? Status = null,
    string? StatusReason = null,
    string? Notes = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    JsonElement? Config = null);

/// <summary>A worker asks for the next queued run.</summary>
/// <param name="WorkerId">The worker's id.</param>
public sealed record ClaimRun(string WorkerId);

/// <summary>The tracker's answer to a run heartbeat.</summary>
/// <param name="RunId">Run id.</param>
/// <param name="Status">The run's status now; anything but <c>running</c> means the worker should stop.</param>
/// <param name="CancelRequested">Whether someone asked to cancel the run.</param>
/// <param name="HeartbeatAt">The recorded heartbeat time.</param>
public sealed record RunHeartbeat(Guid RunId, string Status, bool CancelRequested, DateTimeOffset? HeartbeatAt);

/// <summary>One write of a run's data: metrics append, params are write-once, tags and metadata overwrite.</summary>
/// <param name="BatchId">Client-chosen id; sending the same batch again (a retry) stores nothing more.</param>
/// <param name="Metrics">Up to 10,000 metric points; no key may repeat a step within the batch.</param>
/// <param name="Params">Parameters to log.</param>
/// <param name="Tags">Tags to set.</param>
/// <param name="Metadata">Environment and version facts to set.</param>
/// <param name="Series">
/// More metric points, as parallel arrays per key: the compact form (about a quarter of the JSON and far less to
/// parse than <paramref name="Metrics"/>). Both may be used in one batch; together at most 10,000 points.
/// </param>
public sealed record RunBatch(
    Guid BatchId,
    IReadOnlyList<MetricPoint>? Metrics = null,
    IReadOnlyDictionary<string, string>? Params = null,
    IReadOnlyDictionary<string, string>? Tags = null,
    IReadOnlyDictionary<string, JsonElement>? Metadata = null,
    IReadOnlyList<MetricColumns>? Series = null);

/// <summary>Points of one metric key as parallel arrays, element <c>i</c> of each array belonging to one point.</summary>
/// <param name="Key">Metric key, for example <c>train/loss</c>.</param>
/// <param name="Steps">The points' steps, 0 or more, none twice.</param>
/// <param name="Values">The values, as many as steps; NaN and infinities as the strings "NaN", "Infinity", "-Infinity".</param>
/// <param name="Epochs">Fractional epochs (null entries allowed), as many as steps; absent when unknown.</param>
/// <param name="Timestamps">When each was measured (null entries: the tracker's time); absent for the tracker's time.</param>
public sealed record MetricColumns(
    string Key,
    IReadOnlyList<long> Steps,
    IReadOnlyList<double> Values,
    IReadOnlyList<double?>? Epochs = null,
    IReadOnlyList<DateTimeOffset?>? Timestamps = null)
{
    /// <summary>The same points one by one.</summary>
    public IEnumerable<MetricPoint> Points()
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            yield return new MetricPoint(Key, Steps[i], Values[i], Epochs?[i], Timestamps?[i]);
        }
    }

    /// <summary>Points grouped by key into columns, keys in order of first appearance.</summary>
    public static List<MetricColumns> From(IEnumerable<MetricPoint> points)
    {
        var byKey = new Dictionary<string, (List<long> Steps, List<double> Values, List<double?> Epochs, List<DateTimeOffset?> Timestamps)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var point in points)
        {
            if (!byKey.TryGetValue(point.Key, out var columns))
            {
                byKey[point.Key] = columns = ([], [], [], []);
                order.Add(point.Key);
            }

            columns.Steps.Add(point.Step);
            columns.Values.Add(point.Value);
            columns.Epochs.Add(point.Epoch);
            columns.Timestamps.Add(point.Timestamp);
        }

        return order.Select(key =>
        {
            var (steps, values, epochs, timestamps) = byKey[key];
            return new MetricColumns(key, steps, values,
                epochs.Any(e => e is not null) ? epochs : null,
                timestamps.Any(t => t is not null) ? timestamps : null);
        }).ToList();
    }
}

/// <summary>One metric point as logged.</summary>
/// <param name="Key">Metric key, for example <c>train/loss</c>.</param>
/// <param name="Step">Training step, 0 or more.</param>
/// <param name="Value">The value; NaN and infinities are kept (send them as the strings "NaN", "Infinity", "-Infinity").</param>
/// <param name="Epoch">Fractional epoch, if known.</param>
/// <param name="Timestamp">When it was measured; the tracker's time when absent.</param>
[JsonConverter(typeof(MetricPointJsonConverter))]
public sealed record MetricPoint(string Key, long Step, double Value, double? Epoch = null, DateTimeOffset? Timestamp = null);

/// <summary>What a batch write did.</summary>
/// <param name="BatchId">The batch id.</param>
/// <param name="Duplicate">True when this batch had been stored before and nothing was written now.</param>
/// <param name="MetricPoints">Metric points in the batch.</param>
/// <param name="Params">Parameters in the batch.</param>
/// <param name="Tags">Tags in the batch.</param>
/// <param name="Metadata">Metadata keys in the batch.</param>
public sealed record RunBatchResult(Guid BatchId, bool Duplicate, int MetricPoints, int Params, int Tags, int Metadata);
