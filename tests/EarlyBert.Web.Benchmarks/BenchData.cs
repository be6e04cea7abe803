using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Web.Benchmarks;

/// <summary>Runs reported through the tracker's API as a trainer reports them, in bulk.</summary>
public static class BenchData
{
    /// <summary>Points per batch: the batch API's limit.</summary>
    private const int BatchPoints = 10_000;

    /// <summary>
    /// <paramref name="count"/> finished runs with <paramref name="points"/> points of each metric, logged in batches
    /// of 10,000 from four writers at once; returns their ids in creation order.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> CompareRunsAsync(TrackerClient tracker, int count, int points, IReadOnlyList<string> metrics, CancellationToken cancellationToken)
    {
        await tracker.EnsureExperimentAsync("web-bench-compare", null, cancellationToken);
        var runs = new List<Run>();
        for (var r = 0; r < count; r++)
        {
            runs.Add(await tracker.CreateRunAsync(new CreateRun("web-bench-compare", $"compare-{r:D2}", RunStatuses.Running, WorkerId: "web-bench"), cancellationToken));
        }

        var batches = runs.SelectMany((run, r) => metrics.SelectMany((key, m) =>
            Enumerable.Range(0, (points + BatchPoints - 1) / BatchPoints).Select(b => (run, r, key, m, b))));
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (job, token) =>
        {
            var steps = Enumerable.Range(job.b * BatchPoints, Math.Min(BatchPoints, points - job.b * BatchPoints)).Select(s => (long)s).ToArray();
            var values = steps.Select(s => Curve(job.m, job.r, s, points)).ToArray();
            await tracker.LogBatchAsync(job.run.Id, new RunBatch(Guid.NewGuid(), Series: [new MetricColumns(job.key, steps, values)]), token);
        });
        foreach (var run in runs)
        {
            await tracker.UpdateRunAsync(run.Id, new UpdateRun(Status: RunStatuses.Finished), cancellationToken);
        }

        return runs.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// <paramref name="count"/> finished runs named <c>bench-NNNNN</c>, each tagged <c>bench_index</c>, created by
    /// eight writers at once.
    /// </summary>
    public static async Task ManyRunsAsync(TrackerClient tracker, int count, CancellationToken cancellationToken)
    {
        await tracker.EnsureExperimentAsync("web-bench-runs", null, cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var tags = new Dictionary<string, string> { ["bench_index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            var run = await tracker.CreateRunAsync(new CreateRun("web-bench-runs", $"bench-{i:D5}", RunStatuses.Running, Tags: tags, WorkerId: "web-bench"), token);
            await tracker.UpdateRunAsync(run.Id, new UpdateRun(Status: RunStatuses.Finished), token);
        });
    }

    // A noisy decaying loss, a rising accuracy and a decaying learning rate, different per run.
    private static double Curve(int metric, int run, long step, int points)
    {
        var t = (double)step / points;
        var noise = Math.Sin(step * 12.9898 + run * 78.233) * 0.02;
        return metric switch
        {
            0 => 1.0 / (1 + 8 * t) + 0.01 * run + noise,
            1 => 0.5 + 0.45 * t - 0.005 * run + noise,
            _ => 3e-5 * (1 - t),
        };
    }
}
