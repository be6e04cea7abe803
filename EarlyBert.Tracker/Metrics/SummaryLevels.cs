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
    /// be in step order. Level 0 is built from the points, each coarser level from the four-fold finer one.
    /// </summary>
    public static List<SummaryBucket>[] Build(IReadOnlyList<(long Step, double Value)> points)
    {
        var sorted = points;
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Step < points[i - 1].Step)
            {
                sorted = points.OrderBy(p => p.Step).ToArray();
                break;
            }
        }

        var levels = new List<SummaryBucket>[Count];
        var finest = new List<SummaryBucket>();
        var shift = Shift(0);
        foreach (var (step, value) in sorted)
        {
            var bucket = step >> shift;
            var single = SummaryBucket.Of(bucket, step, value);
            if (finest.Count > 0 && finest[^1].Bucket == bucket)
            {
                finest[^1] = finest[^1].Merge(single, bucket);
            }
            else
            {
                finest.Add(single);
            }
        }

        levels[0] = finest;
        for (var level = 1; level < Count; level++)
        {
            var coarser = new List<SummaryBucket>();
            var ratioShift = Shift(level) - Shift(level - 1);
            foreach (var finer in levels[level - 1])
            {
                var bucket = finer.Bucket >> ratioShift;
                if (coarser.Count > 0 && coarser[^1].Bucket == bucket)
                {
                    coarser[^1] = coarser[^1].Merge(finer, bucket);
                }
                else
                {
                    coarser.Add(finer with { Bucket = bucket });
                }
            }

            levels[level] = coarser;
        }

        return levels;
    }
}
