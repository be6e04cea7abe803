using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

public sealed class RunListColumnsTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    private async Task<Guid> RunAsync(string experiment, string name, Dictionary<string, string> @params, params MetricPoint[] metrics)
    {
        var run = await tracker.NewRunAsync(RunStatuses.Running, experiment, name);
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), metrics, @params,
            new Dictionary<string, string> { ["dataset"] = "spam" },
            new Dictionary<string, JsonElement> { ["precision"] = JsonSerializer.SerializeToElement("float32") }), CancellationToken.None);
        return run.Id;
    }

    [Fact]
    public async Task A_run_list_carries_the_chosen_params_and_latest_metrics_and_leaves_out_what_a_run_lacks()
    {
        var experiment = $"columns-{Guid.NewGuid():N}";
        var full = await RunAsync(experiment, "full", new() { ["learning_rate"] = "3e-5", ["batch_size"] = "32" },
            new MetricPoint("eval/accuracy", 0, 0.5), new MetricPoint("eval/accuracy", 10, 0.93), new MetricPoint("train/loss", 10, 0.2));
        var sparse = await RunAsync(experiment, "sparse", new() { ["batch_size"] = "16" });

        var page = await client.SearchRunsAsync($"experiment = '{experiment}'", "name asc", ["learning_rate", "batch_size"], ["eval/accuracy"], 0, 10, CancellationToken.None);

        Assert.Equal([full, sparse], page.Runs.Select(r => r.Id));
        Assert.Equal(new Dictionary<string, string> { ["learning_rate"] = "3e-5", ["batch_size"] = "32" }, page.Runs[0].Params);
        Assert.Equal(new Dictionary<string, double> { ["eval/accuracy"] = 0.93 }, page.Runs[0].Metrics);
        Assert.Equal(new Dictionary<string, string> { ["batch_size"] = "16" }, page.Runs[1].Params);
        Assert.Empty(page.Runs[1].Metrics!);
    }

    [Fact]
    public async Task A_run_list_without_columns_carries_no_params_or_metrics()
    {
        var experiment = $"plain-{Guid.NewGuid():N}";
        await RunAsync(experiment, "plain", new() { ["learning_rate"] = "1e-4" }, new MetricPoint("train/loss", 1, 0.3));

        var page = await client.SearchRunsAsync($"experiment = '{experiment}'", null, 0, 10, CancellationToken.None);

        Assert.Null(Assert.Single(page.Runs).Params);
        Assert.Null(page.Runs[0].Metrics);
    }

    [Fact]
    public async Task A_column_key_outside_the_key_rule_is_a_400()
    {
        using var http = tracker.CreateClient();

        using var response = await http.GetAsync("/api/runs?params=" + Uri.EscapeDataString("learning rate"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("learning rate", problem.GetProperty("errors").GetProperty("columns")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_export_follows_the_order_asked_for()
    {
        var experiment = $"csv-order-{Guid.NewGuid():N}";
        await RunAsync(experiment, "low", new() { ["learning_rate"] = "1e-5" }, new MetricPoint("eval/accuracy", 1, 0.7));
        await RunAsync(experiment, "high", new() { ["learning_rate"] = "1e-4" }, new MetricPoint("eval/accuracy", 1, 0.9));

        await using var csv = await client.OpenRunsCsvAsync($"experiment = '{experiment}'", "metrics.eval/accuracy desc", ["learning_rate"], ["eval/accuracy"], CancellationToken.None);
        var lines = (await new StreamReader(csv).ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.EndsWith(",params.learning_rate,metrics.eval/accuracy", lines[0], StringComparison.Ordinal);
        Assert.Equal(["high", "low"], lines.Skip(1).Select(line => line.Split(',')[2]));
        Assert.EndsWith(",1e-4,0.9", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_export_with_a_bad_filter_throws_the_syntax_problem_before_any_byte()
    {
        var exception = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.OpenRunsCsvAsync("params.lr >", null, [], [], CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, exception.StatusCode);
        Assert.Equal(11, ((JsonElement)exception.Problem!.Extensions["position"]!).GetInt32());
    }

    [Fact]
    public async Task Runs_sort_by_a_numeric_param_by_value_and_text_values_after_numbers()
    {
        var experiment = $"param-order-{Guid.NewGuid():N}";
        var small = await RunAsync(experiment, "small", new() { ["learning_rate"] = "5e-5" });
        var large = await RunAsync(experiment, "large", new() { ["learning_rate"] = "1e-4" });
        var text = await RunAsync(experiment, "text", new() { ["learning_rate"] = "auto" });
        var none = await RunAsync(experiment, "none", new() { ["batch_size"] = "8" });

        var descending = await client.SearchRunsAsync($"experiment = '{experiment}'", "params.learning_rate desc", 0, 10, CancellationToken.None);
        var ascending = await client.SearchRunsAsync($"experiment = '{experiment}'", "params.learning_rate asc", 0, 10, CancellationToken.None);

        Assert.Equal([large, small, text, none], descending.Runs.Select(r => r.Id));
        Assert.Equal([small, large, text, none], ascending.Runs.Select(r => r.Id));
    }
}
