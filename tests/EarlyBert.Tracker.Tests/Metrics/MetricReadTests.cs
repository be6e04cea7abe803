using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Metrics;

public sealed class MetricReadTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Spike_among_200000_points_logged_out_of_order_survives_downsampling_to_1000_points()
    {
        var run = await tracker.NewRunAsync();
        var random = new Random(7);
        var values = Enumerable.Range(0, 200_000).Select(i => Math.Sin(i / 500.0) + random.NextDouble() * 0.1).ToArray();
        const int spikeStep = 123_457;
        values[spikeStep] = 50;

        // Batches arrive in shuffled order, so buckets are filled from several batches in any order.
        var batches = Enumerable.Range(0, 20).OrderBy(_ => random.Next()).ToArray();
        foreach (var b in batches)
        {
            var points = Enumerable.Range(b * 10_000, 10_000).Select(i => new MetricPoint("loss", i, values[i])).ToList();
            await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), points), CancellationToken.None);
        }

        var series = await client.GetDownsampledSeriesAsync(run.Id, "loss", 1000, CancellationToken.None);

        Assert.True(series.Downsampled);
        Assert.Equal(200_000, series.TotalPoints);
        Assert.InRange(series.Points.Count, 250, 1000);
        Assert.Contains(new StepValue(spikeStep, 50), series.Points);
        Assert.Equal(new StepValue(0, values[0]), series.Points[0]);
        Assert.Equal(new StepValue(199_999, values[199_999]), series.Points[^1]);

        // The stored summaries equal those built from all points at once: the SQL merge matches the in-memory one.
        var plan = Downsampler.Plan(200_000, 0, 199_999, 1000, false, 1000L * MetricReader.SingleRawFactor, MetricReader.SingleOverread);
        var expected = Downsampler.FromSummaries(
            SummaryLevels.Build(values.Select((v, i) => ((long)i, v)).ToArray())[plan.Level], SummaryLevels.Width(plan.Level), plan.BucketWidth);
        Assert.Equal(expected, series.Points);
    }

    [Fact]
    public async Task Short_series_is_returned_whole_and_medium_series_from_raw_points_keeps_its_extremes()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Enumerable.Range(0, 500).Select(i => new MetricPoint("short", i, i)).ToList()), CancellationToken.None);
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(),
            Enumerable.Range(0, 5000).Select(i => new MetricPoint("medium", i * 10L, i == 3333 ? -99 : 1)).ToList()), CancellationToken.None);

        var whole = await client.GetDownsampledSeriesAsync(run.Id, "short", 1000, CancellationToken.None);
        var medium = await client.GetDownsampledSeriesAsync(run.Id, "medium", 100, CancellationToken.None);

        Assert.False(whole.Downsampled);
        Assert.Equal(500, whole.Points.Count);
        Assert.True(medium.Downsampled);
        Assert.True(medium.Points.Count <= 100);
        Assert.Contains(new StepValue(33330, -99), medium.Points);
    }

    [Fact]
    public async Task Unknown_metric_is_404_and_bad_parameters_are_400()
    {
        var run = await tracker.NewRunAsync();

        var missing = await Assert.ThrowsAsync<TrackerApiException>(() => client.GetDownsampledSeriesAsync(run.Id, "nope", 100, CancellationToken.None));
        var tooFew = await Assert.ThrowsAsync<TrackerApiException>(() => client.GetDownsampledSeriesAsync(run.Id, "nope", 1, CancellationToken.None));
        var tooLarge = await Assert.ThrowsAsync<TrackerApiException>(() => client.GetSeriesPageAsync(run.Id, "nope", null, 1_000_000, CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooFew.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooLarge.StatusCode);
    }
}
