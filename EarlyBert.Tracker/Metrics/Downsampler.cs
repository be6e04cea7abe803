using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Tracker.Metrics;

/// <summary>How a series will be read for a downsampled answer.</summary>
/// <param name="Raw">True: read every point (few enough); false: read the summaries of <paramref name="Level"/>.</param>
/// <param name="Level">Summary level to read.</param>
/// <param name="BucketWidth">Width in steps of the answer's buckets (a multiple of the level's width).</param>
public readonly record struct DownsamplePlan(bool Raw, int Level, long BucketWidth);

/// <summary>
/// Reduces a series to at most <c>maxPoints</c> points keeping what matters: per bucket of steps the minimum and
/// the maximum (and the first NaN, where the series has NaNs), plus the first and last point of the series. A single
/// spike therefore always survives, however many points surround it.
/// </summary>
public static class Downsampler
{
    /// <summary>Fewest points a downsampled answer may be asked for.</summary>
    public const int MinPoints = 10;

    /// <summary>Most points a downsampled answer may be asked for.</summary>
    public const int MaxPoints = 20_000;

    /// <summary>How many buckets fit in <paramref name="maxPoints"/> (first and last point reserved).</summary>
    public static long TargetBuckets(int maxPoints, bool hasNaN) => Math.Max(1, (maxPoints - 2) / (hasNaN ? 3 : 2));

    /// <summary>
    /// Decides how to read a series of <paramref name="pointCount"/> points over steps
    /// <paramref name="minStep"/>..<paramref name="maxStep"/>: every point when there are at most
    /// <paramref name="rawLimit"/>, else the finest summary level with at most <paramref name="overread"/> times
    /// the target bucket count, merged into buckets of the returned width.
    /// </summary>
    public static DownsamplePlan Plan(long pointCount, long minStep, long maxStep, int maxPoints, bool hasNaN, long rawLimit, int overread)
    {
        var target = TargetBuckets(maxPoints, hasNaN);
        if (pointCount <= rawLimit)
        {
            return new DownsamplePlan(true, -1, RawBucketWidth(minStep, maxStep, target));
        }

        var level = SummaryLevels.Count - 1;
        for (var candidate = 0; candidate < SummaryLevels.Count; candidate++)
        {
            var shift = SummaryLevels.Shift(candidate);
            if ((maxStep >> shift) - (minStep >> shift) + 1 <= target * overread)
            {
                level = candidate;
                break;
            }
        }

        var width = SummaryLevels.Width(level);
        var multiple = 1L;
        while ((maxStep / (width * multiple)) - (minStep / (width * multiple)) + 1 > target)
        {
            multiple *= 2;
        }

        return new DownsamplePlan(false, level, width * multiple);
    }

    /// <summary>Downsamples raw points (in step order) into buckets of <paramref name="bucketWidth"/> steps.</summary>
    public static List<StepValue> FromPoints(IReadOnlyList<StepValue> points, long bucketWidth, int maxPoints)
    {
        if (points.Count <= maxPoints)
        {
            return [.. points];
        }

        var buckets = new List<SummaryBucket>();
        var origin = points[0].Step;
        foreach (var point in points)
        {
            var bucket = (point.Step - origin) / bucketWidth;
            var single = SummaryBucket.Of(bucket, point.Step, point.Value);
            if (buckets.Count > 0 && buckets[^1].Bucket == bucket)
            {
                buckets[^1] = buckets[^1].Merge(single, bucket);
            }
            else
            {
                buckets.Add(single);
            }
        }

        return Emit(buckets);
    }

    /// <summary>
    /// Downsamples summary buckets of one level (in bucket order, of width <paramref name="levelWidth"/>) into
    /// buckets of <paramref name="bucketWidth"/> steps, a multiple of the level's width.
    /// </summary>
    public static List<StepValue> FromSummaries(IReadOnlyList<SummaryBucket> summaries, long levelWidth, long bucketWidth)
    {
        var ratio = bucketWidth / levelWidth;
        var merged = new List<SummaryBucket>();
        foreach (var summary in summaries)
        {
            var bucket = summary.Bucket / ratio;
            if (merged.Count > 0 && merged[^1].Bucket == bucket)
            {
                merged[^1] = merged[^1].Merge(summary, bucket);
            }
            else
            {
                merged.Add(summary with { Bucket = bucket });
            }
        }

        return Emit(merged);
    }

    // One more than the span divided by the target, so the span holds at most target buckets; written so that steps
    // 0..long.MaxValue cannot overflow (steps are never negative).
    private static long RawBucketWidth(long minStep, long maxStep, long target) =>
        Math.Max(1, (maxStep - minStep) / target + 1);

    private static List<StepValue> Emit(List<SummaryBucket> buckets)
    {
        var points = new List<StepValue>(buckets.Count * 2 + 2);
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            var chosen = new List<StepValue>(4);
            if (i == 0)
            {
                chosen.Add(new StepValue(bucket.FirstStep, bucket.FirstValue));
            }

            if (bucket.MinStep is { } minStep)
            {
                chosen.Add(new StepValue(minStep, bucket.MinValue!.Value));
            }

            if (bucket.MaxStep is { } maxStep)
            {
                chosen.Add(new StepValue(maxStep, bucket.MaxValue!.Value));
            }

            if (bucket.NanStep is { } nanStep)
            {
                chosen.Add(new StepValue(nanStep, double.NaN));
            }

            if (i == buckets.Count - 1)
            {
                chosen.Add(new StepValue(bucket.LastStep, bucket.LastValue));
            }

            chosen.Sort((a, b) => a.Step.CompareTo(b.Step));
            foreach (var point in chosen)
            {
                if (points.Count == 0 || points[^1].Step != point.Step)
                {
                    points.Add(point);
                }
            }
        }

        return points;
    }
}
