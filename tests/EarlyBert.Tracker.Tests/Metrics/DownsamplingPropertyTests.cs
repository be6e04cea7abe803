using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Metrics;

namespace EarlyBert.Tracker.Tests.Metrics;

/// <summary>
/// Property-style: for many random series (lengths, step gaps, noise, spike position and sign, budgets) the
/// downsampled answer — built from the same summaries the tracker keeps on write, or from raw points — keeps the
/// single spike, the first and the last point, every bucket's extremes, and stays within the point budget.
/// </summary>
public sealed class DownsamplingPropertyTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 25)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Single_spike_survives_downsampling_with_first_and_last_point(int seed)
    {
        var random = new Random(seed);
        var count = random.Next(2, 6) switch { 2 => random.Next(1_000, 5_000), 3 => random.Next(20_000, 80_000), _ => random.Next(100_000, 300_000) };
        var gap = random.Next(1, 4);
        var start = random.Next(0, 5_000);
        var maxPoints = random.Next(Downsampler.MinPoints, 2_000);
        var points = new List<StepValue>(count);
        var value = 0.0;
        for (var i = 0; i < count; i++)
        {
            value += random.NextDouble() - 0.5;
            points.Add(new StepValue(start + (long)i * gap, value));
        }

        var spikeIndex = random.Next(count);
        var spikeValue = random.Next(2) == 0 ? points.Max(p => p.Value) + 1_000 : points.Min(p => p.Value) - 1_000;
        points[spikeIndex] = points[spikeIndex] with { Value = spikeValue };

        var (minStep, maxStep) = (points[0].Step, points[^1].Step);
        var levels = SummaryLevels.Build(points.Select(p => (p.Step, p.Value)).ToArray());
        foreach (var overread in new[] { 1, 4 })
        {
            var plan = Downsampler.Plan(count, minStep, maxStep, maxPoints, false, rawLimit: 0, overread);
            var summaries = levels[plan.Level];
            var sampled = Downsampler.FromSummaries(summaries, SummaryLevels.Width(plan.Level), plan.BucketWidth);
            AssertKeepsWhatMatters(points, sampled, spikeIndex, maxPoints, plan.BucketWidth, 0);
        }

        var rawPlan = Downsampler.Plan(count, minStep, maxStep, maxPoints, false, rawLimit: long.MaxValue, overread: 1);
        var fromRaw = Downsampler.FromPoints(points, rawPlan.BucketWidth, maxPoints);
        AssertKeepsWhatMatters(points, fromRaw, spikeIndex, maxPoints, rawPlan.BucketWidth, points[0].Step);
    }

    private static void AssertKeepsWhatMatters(List<StepValue> points, List<StepValue> sampled, int spikeIndex, int maxPoints, long bucketWidth, long origin)
    {
        Assert.True(sampled.Count <= maxPoints, $"{sampled.Count} points for a budget of {maxPoints}");
        Assert.Contains(points[spikeIndex], sampled);
        Assert.Equal(points[0], sampled[0]);
        Assert.Equal(points[^1], sampled[^1]);
        Assert.True(sampled.Zip(sampled.Skip(1)).All(p => p.First.Step < p.Second.Step), "steps ascend");
        var all = points.ToHashSet();
        Assert.All(sampled, p => Assert.Contains(p, all));

        // Every bucket's extremes are there.
        foreach (var bucket in points.GroupBy(p => (p.Step - origin) / bucketWidth))
        {
            Assert.Contains(sampled, p => (p.Step - origin) / bucketWidth == bucket.Key && p.Value == bucket.Max(b => b.Value));
            Assert.Contains(sampled, p => (p.Step - origin) / bucketWidth == bucket.Key && p.Value == bucket.Min(b => b.Value));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Summaries_merged_in_any_batch_order_equal_summaries_of_all_points(int seed)
    {
        var random = new Random(seed);
        var points = Enumerable.Range(0, random.Next(500, 5_000))
            .Select(i => ((long)i * random.Next(1, 3) + i, random.Next(20) == 0 ? double.NaN : random.NextDouble()))
            .DistinctBy(p => p.Item1)
            .ToArray();
        var batches = points.OrderBy(_ => random.Next()).Chunk(random.Next(50, 700)).ToArray();

        var whole = SummaryLevels.Build(points);
        var merged = new Dictionary<(int, long), SummaryBucket>();
        foreach (var batch in batches)
        {
            var levels = SummaryLevels.Build(batch);
            for (var level = 0; level < levels.Length; level++)
            {
                foreach (var bucket in levels[level])
                {
                    merged[(level, bucket.Bucket)] = merged.TryGetValue((level, bucket.Bucket), out var existing) ? existing.Merge(bucket, bucket.Bucket) : bucket;
                }
            }
        }

        for (var level = 0; level < whole.Length; level++)
        {
            foreach (var bucket in whole[level])
            {
                var other = merged[(level, bucket.Bucket)];
                Assert.Equal((bucket.Count, bucket.MinValue, bucket.MaxValue, bucket.FirstStep, bucket.LastStep, bucket.NanStep),
                    (other.Count, other.MinValue, other.MaxValue, other.FirstStep, other.LastStep, other.NanStep));
            }
        }
    }
}
