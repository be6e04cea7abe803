using System.Text.Json;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Client.Compare;

/// <summary>Several runs side by side; every list of values is aligned with <see cref="Runs"/>.</summary>
/// <param name="Runs">The compared runs, in the requested order.</param>
/// <param name="Params">Every parameter key any of the runs has.</param>
/// <param name="Metadata">Every metadata key any of the runs has.</param>
/// <param name="Metrics">The requested metrics.</param>
/// <param name="MetricKeys">Every metric key any of the runs has logged, in key order (what can be asked for).</param>
public sealed record Comparison(
    IReadOnlyList<RunSummary> Runs,
    IReadOnlyList<ComparedParam> Params,
    IReadOnlyList<ComparedMetadata> Metadata,
    IReadOnlyList<ComparedMetric> Metrics,
    IReadOnlyList<string>? MetricKeys = null);

/// <summary>One parameter across the compared runs.</summary>
/// <param name="Key">Parameter key.</param>
/// <param name="Values">Value per run (null where the run lacks it).</param>
/// <param name="Differs">Whether the runs do not all have the same value.</param>
public sealed record ComparedParam(string Key, IReadOnlyList<string?> Values, bool Differs);

/// <summary>One metadata key across the compared runs.</summary>
/// <param name="Key">Metadata key.</param>
/// <param name="Values">Value per run (null where the run lacks it).</param>
/// <param name="Differs">Whether the runs do not all have the same value.</param>
public sealed record ComparedMetadata(string Key, IReadOnlyList<JsonElement?> Values, bool Differs);

/// <summary>One metric across the compared runs.</summary>
/// <param name="Key">Metric key.</param>
/// <param name="Latest">Latest value per run (null where the run lacks the metric).</param>
/// <param name="Differs">Whether the latest values are not all the same.</param>
/// <param name="Series">Downsampled series per run (null where the run lacks the metric).</param>
public sealed record ComparedMetric(
    string Key, IReadOnlyList<double?> Latest, bool Differs, IReadOnlyList<DownsampledSeries?> Series);
