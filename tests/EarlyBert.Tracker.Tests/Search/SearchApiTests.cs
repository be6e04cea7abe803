using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Search;

public sealed class SearchApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    private async Task<Guid> RunAsync(string experiment, string name, string lr, double valLoss, string dataset, string status)
    {
        var run = await tracker.NewRunAsync(RunStatuses.Running, experiment, name);
        await client.LogBatchAsync(run.Id, new RunBatch(
            Guid.NewGuid(),
            [new MetricPoint("val_loss", 0, 9), new MetricPoint("val_loss", 10, valLoss)],
            new Dictionary<string, string> { ["learning_rate"] = lr },
            new Dictionary<string, string> { ["dataset"] = dataset }), CancellationToken.None);
        if (status != RunStatuses.Running)
        {
            await client.UpdateRunAsync(run.Id, new UpdateRun(status), CancellationToken.None);
        }

        return run.Id;
    }

    [Fact]
    public async Task Issue_example_filter_selects_exactly_the_matching_runs()
    {
        var experiment = $"search-{Guid.NewGuid():N}";
        var match1 = await RunAsync(experiment, "good-spam", "1e-4", 0.05, "spam", RunStatuses.Running);
        var match2 = await RunAsync(experiment, "good-finished", "3e-4", 0.01, "ham", RunStatuses.Finished);
        await RunAsync(experiment, "low-lr", "1e-6", 0.05, "spam", RunStatuses.Finished);
        await RunAsync(experiment, "high-loss", "1e-4", 0.5, "spam", RunStatuses.Finished);
        await RunAsync(experiment, "wrong-dataset", "1e-4", 0.05, "ham", RunStatuses.Failed);
        await RunAsync(experiment, "good-debug", "1e-4", 0.05, "spam", RunStatuses.Finished);
        await RunAsync(experiment, "text-lr", "auto", 0.05, "spam", RunStatuses.Finished);

        var page = await client.SearchRunsAsync(
            $"""experiment = "{experiment}" and params.learning_rate > 1e-5 and metrics.val_loss < 0.1 and (tags.dataset = "spam" or status = "finished") and not name like "%debug%" """,
            "name", 0, 50, CancellationToken.None);

        Assert.Equal(new[] { match2, match1 }, page.Runs.Select(r => r.Id));
        Assert.Equal(2, page.TotalCount);
    }

    [Fact]
    public async Task Runs_sort_by_the_latest_value_of_a_metric()
    {
        var experiment = $"sort-{Guid.NewGuid():N}";
        var worst = await RunAsync(experiment, "a", "1", 0.9, "d", RunStatuses.Running);
        var best = await RunAsync(experiment, "b", "1", 0.1, "d", RunStatuses.Running);
        var middle = await RunAsync(experiment, "c", "1", 0.5, "d", RunStatuses.Running);

        var page = await client.SearchRunsAsync($"experiment = '{experiment}'", "metrics.val_loss asc", 0, 10, CancellationToken.None);

        Assert.Equal(new[] { best, middle, worst }, page.Runs.Select(r => r.Id));
    }

    [Fact]
    public async Task Syntax_error_answers_400_with_position_and_expectation()
    {
        using var http = tracker.CreateClient();

        using var response = await http.GetAsync("/api/runs?filter=" + Uri.EscapeDataString("params.lr > and status = 'x'"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(12, problem.GetProperty("position").GetInt32());
        Assert.Equal("a number or a quoted string", problem.GetProperty("expected").GetString());
    }

    [Fact]
    public async Task Injection_through_the_filter_matches_nothing_and_drops_nothing()
    {
        var experiment = $"inject-{Guid.NewGuid():N}";
        await RunAsync(experiment, "victim", "1", 0.1, "d", RunStatuses.Running);

        var page = await client.SearchRunsAsync("name = \"x' OR '1'='1\" or name = \"'; DROP TABLE runs; --\"", null, 0, 10, CancellationToken.None);

        Assert.Equal(0, page.TotalCount);
        Assert.True(await tracker.CountAsync("SELECT count(*) FROM runs") > 0);
    }
}
