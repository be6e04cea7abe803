namespace EarlyBert.Tracker.Metrics;

/// <summary>
/// The resolutions at which series are summarised: level <c>L</c> groups steps into buckets of
/// 2^(6 + 2L) steps (64, 256, 1,024, … 2^32), aligned on step 0, so each level's bucket holds exactly four of the
/// level below. A read picks the finest level with few enough buckets over the series' steps.
/// </summary>
public static class SummaryLevels
{
    /// <summary>Number of levels.</summary>
    public const int Count = 14;

    /// <summary>log2 of the bucket width of <paramref name="level"/>.</summary>
    public static int Shift(int level) => 6 + 2 * level;

    /// <summary>Bucket width of <paramref name="level"/> in steps.</summary>
    public static long Width(int level) => 1L << Shift(level);

    /// <summary>
    /// Summarises points into the buckets of every level: one list per level, in bucket order. The points need not
    /// be in step order.
    /// </summary>
    public static List<SummaryBucket>[] Build(IReadOnlyList<(long Step, double Value)> points)
    {
        var levels = new List<SummaryBucket>[Count];
        var sorted = points.OrderBy(p => p.Step).ToArray();
        for (var level = 0; level < Count; level++)
        {
            var shift = Shift(level);
            var buckets = new List<SummaryBucket>();
            foreach (var (step, value) in sorted)
            {
                var bucket = step >> shift;
                var single = SummaryBucket.Of(bucket, step, value);
                if (buckets.Count > 0 && buckets[^1].Bucket == bucket)
                {
                    buckets[^1] = buckets[^1].Merge(single, bucket);
                }
                else
                {
                    buckets.Add(single);
                }
            }

            levels[level] = buckets;
        }

        return levels;
    }
}
