namespace EarlyBert.Tracker.Client.Metrics;

/// <summary>The latest value of one metric of a run (the point with the highest step) and the series' extent.</summary>
/// <param name="Key">Metric key.</param>
/// <param name="Step">Step of the latest point.</param>
/// <param name="Value">Value of the latest point.</param>
/// <param name="Epoch">Epoch of the latest point.</param>
/// <param name="Timestamp">Timestamp of the latest point.</param>
/// <param name="PointCount">How many points the series has.</param>
/// <param name="MinStep">The lowest step.</param>
/// <param name="MaxStep">The highest step.</param>
public sealed record MetricLatest(
    string Key, long Step, double Value, double? Epoch, DateTimeOffset Timestamp, long PointCount, long MinStep, long MaxStep);

/// <summary>One stored point of a series.</summary>
/// <param name="Step">Training step.</param>
/// <param name="Value">Value (NaN and infinities as logged).</param>
/// <param name="Epoch">Fractional epoch.</param>
/// <param name="Timestamp">When it was measured.</param>
public sealed record SeriesPoint(long Step, double Value, double? Epoch, DateTimeOffset Timestamp);

/// <summary>A page of a full series in step order.</summary>
/// <param name="Key">Metric key.</param>
/// <param name="Points">Points with steps after the requested one.</param>
/// <param name="NextAfterStep">Pass as <c>afterStep</c> for the next page; null on the last page.</param>
public sealed record SeriesPage(string Key, IReadOnlyList<SeriesPoint> Points, long? NextAfterStep);

/// <summary>A point of a downsampled series.</summary>
/// <param name="Step">Step.</param>
/// <param name="Value">Value.</param>
public sealed record StepValue(long Step, double Value);

/// <summary>
/// A series reduced to at most the requested number of points: per bucket of steps its minimum and its maximum
/// (and a NaN when the bucket has one), plus the series' first and last point, so no spike disappears. Points are
/// columns (<see cref="Steps"/>, <see cref="Values"/>), the shape chart libraries take and half the JSON of objects.
/// </summary>
/// <param name="Key">Metric key.</param>
/// <param name="TotalPoints">Points stored in the series (all of it, also when a step range was asked for).</param>
/// <param name="Downsampled">False when every stored point (of the asked range) is returned.</param>
/// <param name="Steps">Steps of the points, ascending.</param>
/// <param name="Values">Values of the points, aligned with <paramref name="Steps"/>.</param>
/// <param name="Epochs">Fractional epoch of each point (null where none was logged); only when asked for.</param>
/// <param name="Timestamps">When each point was measured; only when asked for.</param>
public sealed record DownsampledSeries(
    string Key,
    long TotalPoints,
    bool Downsampled,
    IReadOnlyList<long> Steps,
    IReadOnlyList<double> Values,
    IReadOnlyList<double?>? Epochs = null,
    IReadOnlyList<DateTimeOffset>? Timestamps = null)
{
    /// <summary>The points as (step, value) pairs.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<StepValue> Points => Steps.Zip(Values, (step, value) => new StepValue(step, value)).ToList();

    /// <summary>A series from (step, value) pairs.</summary>
    public static DownsampledSeries Of(string key, long totalPoints, bool downsampled, IReadOnlyList<StepValue> points) =>
        new(key, totalPoints, downsampled, points.Select(p => p.Step).ToArray(), points.Select(p => p.Value).ToArray());
}

/// <summary>An inclusive range of steps, the visible part of a zoomed chart.</summary>
/// <param name="From">First step of the range.</param>
/// <param name="To">Last step of the range.</param>
public readonly record struct StepRange(long From, long To);
