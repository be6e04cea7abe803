using System.Diagnostics;
using EarlyBert.Tracker.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EarlyBert.Tracker.Tests.Mlflow;

/// <summary>Request-to-store latency of MLflow's largest log-batch (1,000 metrics), printed for the README.</summary>
public sealed class MlflowBatchLatencyTests(TrackerAppFactory tracker, ITestOutputHelper output) : IClassFixture<TrackerAppFactory>
{
    private const int Requests = 50;

    [Fact]
    public async Task A_1000_metric_log_batch_is_stored_within_a_second_at_the_median()
    {
        var mlflow = new MlflowHttp(tracker);
        var experimentId = MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name = $"latency-{Guid.NewGuid():N}" })).GetProperty("experiment_id").GetString();
        var runId = MlflowHttp.Ok(await mlflow.PostAsync("runs/create", new { experiment_id = experimentId })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        var elapsed = new List<double>();
        for (var request = -3; request < Requests; request++)
        {
            // 10 keys × 100 steps, every request further along (the negative ones warm up and are not counted).
            var first = (request + 3) * 100L;
            var metrics = Enumerable.Range(0, 1000)
                .Select(i => new { key = $"layer{i % 10}/loss", value = Math.Sin(i), timestamp = now + first + i / 10, step = first + i / 10 })
                .ToArray();
            var watch = Stopwatch.StartNew();
            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new { run_id = runId, metrics }));
            watch.Stop();
            if (request >= 0)
            {
                elapsed.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        elapsed.Sort();
        var median = (elapsed[Requests / 2 - 1] + elapsed[Requests / 2]) / 2;
        output.WriteLine($"MLflow log-batch of 1,000 metrics, {Requests} requests: median {median:F1} ms, p90 {elapsed[(int)(Requests * 0.9)]:F1} ms, min {elapsed[0]:F1} ms");
        Assert.Equal((Requests + 3) * 1000L, await tracker.CountAsync(
            "SELECT count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.run_id = $1", Guid.Parse(runId)));
        Assert.True(median < 1000, $"median {median:F1} ms");
    }
}
