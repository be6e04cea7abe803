namespace EarlyBert.Tracker.Metrics;

/// <summary>
/// What one bucket of steps of one series holds at one resolution level: its point count, the minimum and maximum
/// point (NaN excluded; null when every point is NaN), the first and last point, and the first NaN.
/// </summary>
public readonly record struct SummaryBucket(
    long Bucket,
    int Count,
    long? MinStep,
    double? MinValue,
    long? MaxStep,
    double? MaxValue,
    long FirstStep,
    double FirstValue,
    long LastStep,
    double LastValue,
    long? NanStep)
{
    /// <summary>A bucket holding one point.</summary>
    public static SummaryBucket Of(long bucket, long step, double value) => double.IsNaN(value)
        ? new(bucket, 1, null, null, null, null, step, value, step, value, step)
        : new(bucket, 1, step, value, step, value, step, value, step, value, null);

    /// <summary>
    /// The bucket that summarises the points of both (same rules as the database's upsert in
    /// <see cref="RunData.RunBatchWriter"/>: on equal values the existing point stays).
    /// </summary>
    public SummaryBucket Merge(SummaryBucket other, long bucket)
    {
        var takeMin = MinValue is null || (other.MinValue is { } otherMin && otherMin < MinValue.Value);
        var takeMax = MaxValue is null || (other.MaxValue is { } otherMax && otherMax > MaxValue.Value);
        var takeFirst = other.FirstStep < FirstStep;
        var takeLast = other.LastStep > LastStep;
        return new SummaryBucket(
            bucket,
            Count + other.Count,
            takeMin ? other.MinStep : MinStep,
            takeMin ? other.MinValue : MinValue,
            takeMax ? other.MaxStep : MaxStep,
            takeMax ? other.MaxValue : MaxValue,
            takeFirst ? other.FirstStep : FirstStep,
            takeFirst ? other.FirstValue : FirstValue,
            takeLast ? other.LastStep : LastStep,
            takeLast ? other.LastValue : LastValue,
            (NanStep, other.NanStep) switch
            {
                (null, var b) => b,
                (var a, null) => a,
                var (a, b) => Math.Min(a!.Value, b!.Value),
            });
    }
}
