using System.Net;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Mlflow;

/// <summary>
/// <c>order_by</c> of <c>experiments/search</c> and <c>runs/search</c>: every clause counts, in order, then MLflow's
/// tie-breakers. Its own tracker (the tests move the clock).
/// </summary>
public sealed class MlflowOrderTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly MlflowHttp mlflow = new(tracker);

    [Fact]
    public async Task Experiment_search_orders_by_every_clause_then_by_experiment_id()
    {
        var prefix = $"order-{Guid.NewGuid():N}";
        async Task<string> CreateAsync(string name) =>
            MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name = $"{prefix}-{name}" })).GetProperty("experiment_id").GetString()!;
        var b = await CreateAsync("b");
        tracker.Time.Advance(TimeSpan.FromSeconds(1));
        var a = await CreateAsync("a");
        var c = await CreateAsync("c");
        tracker.Time.Advance(TimeSpan.FromSeconds(1));
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/update", new { experiment_id = b, new_name = $"{prefix}-b2" }));
        async Task<string[]> OrderAsync(params string[] orderBy) =>
            MlflowHttp.Ok(await mlflow.PostAsync("experiments/search", new { filter = $"name LIKE '{prefix}%'", order_by = orderBy }))
                .GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("experiment_id").GetString()!).ToArray();

        // Default: newest first, then id ascending (a and c were created at the same instant, a first).
        Assert.Equal([a, c, b], await OrderAsync());
        Assert.Equal([a, b, c], await OrderAsync("name"));
        Assert.Equal([c, b, a], await OrderAsync("attributes.name DESC"));
        Assert.Equal([b, c, a], await OrderAsync("creation_time ASC", "name DESC"));
        // Without experiment_id among the clauses, the id breaks ties descending, as MLflow's store does.
        Assert.Equal([b, c, a], await OrderAsync("creation_time"));
        Assert.Equal([c, a, b], await OrderAsync("experiment_id DESC"));
        Assert.Equal([b, a, c], await OrderAsync("last_update_time DESC", "experiment_id ASC"));
        var fromQuery = MlflowHttp.Ok(await mlflow.GetAsync(
            $"experiments/search?filter={Uri.EscapeDataString($"name LIKE '{prefix}%'")}&order_by=creation_time%20ASC&order_by=name%20DESC"));
        Assert.Equal([b, c, a], fromQuery.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("experiment_id").GetString()!).ToArray());
        var renamed = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get?experiment_id={b}")).GetProperty("experiment");
        Assert.Equal(MlflowHttp.Millis(tracker), renamed.GetProperty("last_update_time").GetInt64());
        Assert.Equal(MlflowHttp.Millis(tracker, -2000), renamed.GetProperty("creation_time").GetInt64());

        foreach (var refused in new[] { "tags.team", "name sideways", "lifecycle_stage", "name ASC DESC" })
        {
            MlflowHttp.Error(await mlflow.PostAsync("experiments/search", new { order_by = new[] { refused } }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        }
    }

    [Fact]
    public async Task Runs_search_orders_by_every_clause_with_nan_and_missing_values_last_then_newest_first()
    {
        var experimentId = MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name = $"runs-order-{Guid.NewGuid():N}" }))
            .GetProperty("experiment_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        async Task<string> RunAsync(string name, long startOffset, string? lr, object? accuracy, string? group)
        {
            var runId = MlflowHttp.Ok(await mlflow.PostAsync("runs/create", new { experiment_id = experimentId, run_name = name, start_time = now + startOffset }))
                .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
            if (lr is null && accuracy is null && group is null)
            {
                return name;
            }

            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = accuracy is null ? [] : new[] { new { key = "acc", value = accuracy, timestamp = now, step = 0 } },
                @params = lr is null ? [] : new[] { new { key = "lr", value = lr } },
                tags = group is null ? [] : new[] { new { key = "group", value = group } },
            }));
            return name;
        }

        await RunAsync("r1", 1, "1e-3", 0.9, "x");
        await RunAsync("r2", 2, "1e-3", 0.8, "x");
        await RunAsync("r3", 3, "2e-5", "NaN", "x");
        await RunAsync("r4", 4, null, null, null);
        async Task<string[]> OrderAsync(params string[] orderBy) =>
            MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new { experiment_ids = new[] { experimentId }, order_by = orderBy }))
                .GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString()!).ToArray();

        Assert.Equal(["r4", "r3", "r2", "r1"], await OrderAsync());
        Assert.Equal(["r2", "r1", "r3", "r4"], await OrderAsync("metrics.acc ASC"));
        Assert.Equal(["r1", "r2", "r3", "r4"], await OrderAsync("metrics.acc DESC"));
        // Params sort as text, as MLflow stores them: '1e-3' before '2e-5'; the second clause orders within equal values.
        Assert.Equal(["r1", "r2", "r3", "r4"], await OrderAsync("params.lr ASC", "metrics.acc DESC"));
        Assert.Equal(["r2", "r1", "r3", "r4"], await OrderAsync("params.lr", "metrics.acc"));
        Assert.Equal(["r3", "r2", "r1", "r4"], await OrderAsync("params.lr DESC", "attributes.start_time DESC"));
        // Equal tags: then newest start first, MLflow's tie-breaker.
        Assert.Equal(["r3", "r2", "r1", "r4"], await OrderAsync("tags.group"));
        Assert.Equal(["r1", "r2", "r3", "r4"], await OrderAsync("tags.`group` ASC", "start_time ASC"));
        Assert.Equal(["r4", "r3", "r2", "r1"], await OrderAsync("run_name DESC"));

        // Pages keep the order.
        var first = MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId }, order_by = new[] { "params.lr", "metrics.acc" }, max_results = 2,
        }));
        var second = MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId }, order_by = new[] { "params.lr", "metrics.acc" }, max_results = 2,
            page_token = first.GetProperty("next_page_token").GetString(),
        }));
        Assert.Equal(["r2", "r1", "r3", "r4"], first.GetProperty("runs").EnumerateArray().Concat(second.GetProperty("runs").EnumerateArray())
            .Select(r => r.GetProperty("info").GetProperty("run_name").GetString()!).ToArray());

        foreach (var refused in new[] { "metrics.acc sideways", "datasets.name", "lifecycle", "metrics.`has space`" })
        {
            MlflowHttp.Error(await mlflow.PostAsync("runs/search", new { experiment_ids = new[] { experimentId }, order_by = new[] { refused } }),
                HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        }
    }
}
