using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Metrics;

/// <summary>Zooming a chart: a downsampled read of a range of steps, and the epochs and timestamps charts plot against.</summary>
public sealed class DownsampledRangeTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private const int Points = 100_000;
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Zoomed_range_of_a_summarised_series_keeps_its_spikes_holds_maxPoints_and_returns_nothing_outside()
    {
        // Range ends not on any bucket boundary; spikes just inside both ends and in the middle, and just outside both.
        const long from = 12_345, to = 87_654;
        var values = Enumerable.Range(0, Points).Select(i => Math.Cos(i / 300.0)).ToArray();
        values[from] = 40;
        values[from - 1] = 1000;
        values[50_001] = -30;
        values[to] = 45;
        values[to + 1] = -1000;
        var run = await LogAsync("loss", values);

        var zoomed = await client.GetDownsampledSeriesAsync(run.Id, "loss", 200, CancellationToken.None, new StepRange(from, to));

        Assert.True(zoomed.Downsampled);
        Assert.Equal(Points, zoomed.TotalPoints);
        Assert.InRange(zoomed.Steps.Count, 50, 200);
        Assert.All(zoomed.Steps, step => Assert.InRange(step, from, to));
        Assert.Equal(zoomed.Steps.Order(), zoomed.Steps);
        Assert.Contains(new StepValue(from, 40), zoomed.Points);
        Assert.Contains(new StepValue(50_001, -30), zoomed.Points);
        Assert.Contains(new StepValue(to, 45), zoomed.Points);
        Assert.All(zoomed.Points, p => Assert.Equal(values[p.Step], p.Value));
        Assert.Null(zoomed.Timestamps);
    }

    [Fact]
    public async Task Narrow_range_is_answered_from_raw_points_with_epochs_and_timestamps()
    {
        var start = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var run = await tracker.NewRunAsync();
        var points = Enumerable.Range(0, 10_000)
            .Select(i => new MetricPoint("acc", i * 3L, i == 2_000 ? 9 : 0.5, Epoch: i / 1000.0, Timestamp: start.AddSeconds(i)))
            .ToList();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), points), CancellationToken.None);

        // Steps 5,000..7,000 hold 667 points (steps are multiples of 3): more than maxPoints, so they are bucketed.
        var zoomed = await client.GetDownsampledSeriesAsync(run.Id, "acc", 100, CancellationToken.None, new StepRange(5_000, 7_000), withTimes: true);

        Assert.True(zoomed.Downsampled);
        Assert.InRange(zoomed.Steps.Count, 10, 100);
        Assert.All(zoomed.Steps, step => Assert.InRange(step, 5_000, 7_000));
        Assert.Contains(new StepValue(6_000, 9), zoomed.Points);
        Assert.Equal(zoomed.Steps.Select(s => (double?)(s / 3 / 1000.0)), zoomed.Epochs!);
        Assert.Equal(zoomed.Steps.Select(s => start.AddSeconds(s / 3)), zoomed.Timestamps!);
    }

    [Fact]
    public async Task Whole_series_with_times_and_a_range_beyond_the_series_answer_consistently()
    {
        var values = Enumerable.Range(0, Points).Select(i => i % 977 == 0 ? double.NaN : Math.Sin(i)).ToArray();
        var run = await LogAsync("grad", values);

        var whole = await client.GetDownsampledSeriesAsync(run.Id, "grad", 300, CancellationToken.None, withTimes: true);
        var open = await client.GetDownsampledSeriesAsync(run.Id, "grad", 300, CancellationToken.None, new StepRange(-5, long.MaxValue));
        var beyond = await client.GetDownsampledSeriesAsync(run.Id, "grad", 300, CancellationToken.None, new StepRange(Points + 10, Points + 20));

        Assert.InRange(whole.Steps.Count, 2, 300);
        Assert.Equal(whole.Steps.Count, whole.Timestamps!.Count);
        Assert.Equal(whole.Steps.Count, whole.Epochs!.Count);
        Assert.Contains(whole.Values, double.IsNaN);
        // A range covering the series is the whole series.
        Assert.Equal(whole.Steps, open.Steps);
        Assert.Empty(beyond.Steps);
    }

    [Fact]
    public async Task Compare_lists_every_metric_key_and_zooms_every_run_to_the_range()
    {
        var first = await tracker.NewRunAsync();
        var second = await tracker.NewRunAsync();
        await client.LogBatchAsync(first.Id, new RunBatch(Guid.NewGuid(),
            [.. Enumerable.Range(0, 3000).Select(i => new MetricPoint("loss", i, i == 1500 ? 7 : 1)), new MetricPoint("eval/f1", 3000, 0.8)]), CancellationToken.None);
        await client.LogBatchAsync(second.Id, new RunBatch(Guid.NewGuid(),
            [.. Enumerable.Range(0, 3000).Select(i => new MetricPoint("loss", i, 2, Epoch: i / 100.0)), new MetricPoint("lr", 0, 1e-4)]), CancellationToken.None);

        var comparison = await client.CompareAsync([first.Id, second.Id], ["loss"], 50, CancellationToken.None, new StepRange(1000, 1999), withTimes: true);

        Assert.Equal(["eval/f1", "loss", "lr"], comparison.MetricKeys);
        var loss = comparison.Metrics.Single();
        foreach (var series in loss.Series)
        {
            Assert.InRange(series!.Steps.Count, 2, 50);
            Assert.All(series.Steps, step => Assert.InRange(step, 1000, 1999));
            Assert.Equal(series.Steps.Count, series.Timestamps!.Count);
        }

        Assert.Contains(new StepValue(1500, 7), loss.Series[0]!.Points);
        Assert.All(loss.Series[0]!.Epochs!, Assert.Null);
        Assert.Equal(loss.Series[1]!.Steps.Select(s => (double?)(s / 100.0)), loss.Series[1]!.Epochs!);
    }

    [Theory]
    [InlineData("fromStep=10&toStep=5", "fromStep")]
    [InlineData("include=colour", "include")]
    public async Task Bad_range_or_include_is_400(string query, string field)
    {
        var run = await LogAsync("loss", [1, 2, 3]);
        using var http = tracker.CreateClient();

        var single = await http.GetAsync($"api/runs/{run.Id}/metrics/downsampled?key=loss&{query}");
        var compare = await http.GetAsync($"api/compare?runs={run.Id},{(await tracker.NewRunAsync()).Id}&metrics=loss&{query}");

        foreach (var response in new[] { single, compare })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    private async Task<Run> LogAsync(string key, double[] values)
    {
        var run = await tracker.NewRunAsync();
        foreach (var chunk in values.Select((v, i) => new MetricPoint(key, i, v)).Chunk(10_000))
        {
            await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), chunk), CancellationToken.None);
        }

        return run;
    }
}
