using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Tracker.Client.Events;

/// <summary>Something that happened to a run, pushed to dashboards as a server-sent event.</summary>
/// <param name="Type"><c>status</c> (the run changed status), <c>metrics</c> (new points arrived) or <c>resync</c> (reload).</param>
/// <param name="RunId">The run.</param>
/// <param name="Status">The new status, for <c>status</c> events.</param>
/// <param name="Metrics">Per metric key, the latest value after the batch, for <c>metrics</c> events.</param>
/// <param name="At">When it happened (tracker time).</param>
public sealed record RunEvent(string Type, Guid RunId, string? Status, IReadOnlyList<MetricLatest>? Metrics, DateTimeOffset At)
{
    /// <summary>Event type of a status change.</summary>
    public const string StatusChanged = "status";

    /// <summary>Event type of new metric points.</summary>
    public const string MetricsLogged = "metrics";

    /// <summary>
    /// Sent when events may have been missed (the tracker's connection to PostgreSQL, which carries events between
    /// tracker replicas, was lost and is back): reload what is shown.
    /// </summary>
    public const string Resync = "resync";
}
