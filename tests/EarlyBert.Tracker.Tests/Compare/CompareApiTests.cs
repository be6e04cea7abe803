using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Compare;

public sealed class CompareApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Compare_flags_differing_params_and_metadata_and_returns_downsampled_series_per_run()
    {
        var runs = new List<Run>();
        for (var i = 0; i < 3; i++)
        {
            var run = await tracker.NewRunAsync(RunStatuses.Running, "compare");
            runs.Add(run);
            await client.LogBatchAsync(run.Id, new RunBatch(
                Guid.NewGuid(),
                Enumerable.Range(0, 5000).Select(s => new MetricPoint("loss", s, s == 1000 * (i + 1) ? 100 : 1.0 / (s + 1))).ToList(),
                new Dictionary<string, string> { ["lr"] = i == 2 ? "3e-4" : "1e-4", ["seed"] = "42" },
                Metadata: new Dictionary<string, JsonElement>
                {
                    ["torch"] = JsonSerializer.SerializeToElement(new { version = "2.4", cuda = "12.4" }),
                    ["device"] = JsonSerializer.SerializeToElement(i == 0 ? "cpu" : "cuda:0"),
                }), CancellationToken.None);
        }

        // A metric only the first run has.
        await client.LogBatchAsync(runs[0].Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("acc", 1, 0.5)]), CancellationToken.None);

        var comparison = await client.CompareAsync(runs.Select(r => r.Id).ToList(), ["loss", "acc"], 200, CancellationToken.None);

        Assert.Equal(runs.Select(r => r.Id), comparison.Runs.Select(r => r.Id));
        Assert.True(comparison.Params.Single(p => p.Key == "lr").Differs);
        Assert.False(comparison.Params.Single(p => p.Key == "seed").Differs);
        Assert.Equal(["1e-4", "1e-4", "3e-4"], comparison.Params.Single(p => p.Key == "lr").Values);
        Assert.True(comparison.Metadata.Single(m => m.Key == "device").Differs);
        Assert.False(comparison.Metadata.Single(m => m.Key == "torch").Differs);

        var loss = comparison.Metrics.Single(m => m.Key == "loss");
        for (var i = 0; i < 3; i++)
        {
            var series = loss.Series[i]!;
            Assert.True(series.Points.Count <= 200);
            Assert.Contains(new StepValue(1000 * (i + 1), 100), series.Points);
        }

        var acc = comparison.Metrics.Single(m => m.Key == "acc");
        Assert.NotNull(acc.Series[0]);
        Assert.Null(acc.Series[1]);
        Assert.Equal(new double?[] { 0.5, null, null }, acc.Latest);
    }

    [Fact]
    public async Task A_compared_series_that_fits_the_raw_limit_fills_the_point_budget_and_keeps_its_spike()
    {
        // 3,000 points at maxPoints 1,000: the finest summary level would answer ~100 points; raw buckets fill the budget.
        var runs = new List<Run>();
        for (var i = 0; i < 2; i++)
        {
            var run = await tracker.NewRunAsync(RunStatuses.Running, "compare-raw");
            runs.Add(run);
            await client.LogBatchAsync(run.Id, new RunBatch(
                Guid.NewGuid(),
                Enumerable.Range(0, 3000).Select(s => new MetricPoint("loss", s, s == 1234 + i ? 50 : 1.0 / (s + 1))).ToList()), CancellationToken.None);
        }

        var comparison = await client.CompareAsync(runs.Select(r => r.Id).ToList(), ["loss"], 1000, CancellationToken.None);

        var loss = comparison.Metrics.Single();
        for (var i = 0; i < 2; i++)
        {
            var series = loss.Series[i]!;
            // 499 buckets of 7 steps hold a minimum and a maximum each: ~860 points.
            Assert.InRange(series.Points.Count, 800, 1000);
            Assert.True(series.Downsampled);
            Assert.Contains(new StepValue(1234 + i, 50), series.Points);
            Assert.Equal(0, series.Points[0].Step);
            Assert.Equal(2999, series.Points[^1].Step);
        }
    }

    [Theory]
    [InlineData("one-run")]
    [InlineData("twenty-one-runs")]
    [InlineData("duplicate")]
    [InlineData("not-a-guid")]
    public async Task Compare_outside_2_to_20_distinct_runs_is_400(string shape)
    {
        var ids = Enumerable.Range(0, 21).Select(_ => Guid.NewGuid().ToString()).ToList();
        var runs = shape switch
        {
            "one-run" => ids[0],
            "twenty-one-runs" => string.Join(',', ids),
            "duplicate" => $"{ids[0]},{ids[0]}",
            _ => $"{ids[0]},nope",
        };
        using var http = tracker.CreateClient();

        using var response = await http.GetAsync($"/api/compare?runs={runs}&metrics=loss");

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Compare_with_an_unknown_run_is_404()
    {
        var run = await tracker.NewRunAsync();

        var error = await Assert.ThrowsAsync<TrackerApiException>(() => client.CompareAsync([run.Id, Guid.NewGuid()], ["loss"], 100, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }
}
