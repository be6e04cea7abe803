using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Benchmarks;

/// <summary>MLflow's largest <c>log-batch</c> against the tracker's own batch endpoint with the same points.</summary>
internal sealed partial class TrackerBench
{
    private const int MlflowBatchMetrics = 1_000;
    private const int MlflowWarmUpRequests = 5;

    /// <summary>
    /// Request-to-store latency (answered, committed) of a 1,000-metric MLflow <c>log-batch</c> (10 keys × 100 steps,
    /// each request further along), and as the baseline the same 1,000 points sent to <c>POST /api/runs/{id}/batch</c>,
    /// the two interleaved request by request so both see the same machine. Bodies are serialised before the clock starts.
    /// </summary>
    public async Task RunMlflowBatchAsync()
    {
        using var http = NewHttp();
        var experiment = await PostJsonAsync(http, "api/2.0/mlflow/experiments/create", JsonSerializer.Serialize(new { name = "bench-mlflow" }));
        var experimentId = experiment.GetProperty("experiment_id").GetString();
        var run = await PostJsonAsync(http, "api/2.0/mlflow/runs/create", JsonSerializer.Serialize(new { experiment_id = experimentId, run_name = "bench-mlflow" }));
        var mlflowRun = run.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString();
        var baselineRun = (await NewClient().CreateRunAsync(new CreateRun("bench-mlflow", "bench-batch-baseline", RunStatuses.Running), CancellationToken.None)).Id;

        var requests = options.MlflowRequests;
        var start = DateTimeOffset.UnixEpoch.AddYears(56);
        var bodies = new List<(byte[] Mlflow, byte[] Baseline)>();
        for (var request = 0; request < MlflowWarmUpRequests + requests; request++)
        {
            var points = Enumerable.Range(0, MlflowBatchMetrics)
                .Select(i => new MetricPoint($"layer{i % 10}/loss", request * 100L + i / 10, Math.Sin(request * MlflowBatchMetrics + i), null, start.AddMilliseconds(request * 100L + i / 10)))
                .ToList();
            var mlflow = JsonSerializer.SerializeToUtf8Bytes(new
            {
                run_id = mlflowRun,
                metrics = points.Select(p => new { key = p.Key, value = p.Value, timestamp = p.Timestamp!.Value.ToUnixTimeMilliseconds(), step = p.Step }),
            });
            bodies.Add((mlflow, JsonSerializer.SerializeToUtf8Bytes(new RunBatch(Guid.NewGuid(), points), TrackerJsonContext.Default.RunBatch)));
        }

        var (mlflowLatencies, baselineLatencies) = (new List<double>(), new List<double>());
        for (var request = 0; request < bodies.Count; request++)
        {
            // Alternate which goes first, so neither always runs right after the other's commit.
            var mlflowFirst = request % 2 == 0;
            var first = await TimeAsync(http, mlflowFirst ? "api/2.0/mlflow/runs/log-batch" : $"api/runs/{baselineRun}/batch", mlflowFirst ? bodies[request].Mlflow : bodies[request].Baseline);
            var second = await TimeAsync(http, mlflowFirst ? $"api/runs/{baselineRun}/batch" : "api/2.0/mlflow/runs/log-batch", mlflowFirst ? bodies[request].Baseline : bodies[request].Mlflow);
            if (request >= MlflowWarmUpRequests)
            {
                mlflowLatencies.Add(mlflowFirst ? first : second);
                baselineLatencies.Add(mlflowFirst ? second : first);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"MLflow log-batch of {MlflowBatchMetrics:N0} metrics (10 keys × 100 steps), {requests} requests after {MlflowWarmUpRequests} warm-up, answered and stored:");
        Console.WriteLine($"  POST /api/2.0/mlflow/runs/log-batch: {Summary(mlflowLatencies)}");
        Console.WriteLine($"  POST /api/runs/{{id}}/batch (same points, baseline): {Summary(baselineLatencies)}");
    }

    private static async Task<double> TimeAsync(HttpClient http, string url, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsync(url, content);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {url} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return elapsed;
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient http, string url, string json)
    {
        using var response = await http.PostAsync(url, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"POST {url} failed: {(int)response.StatusCode} {text}");
    }
}
