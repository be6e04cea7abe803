using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.RunData;

public sealed class BatchApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    private static List<MetricPoint> Points(string key, long from, int count, Func<long, double>? value = null) =>
        Enumerable.Range(0, count).Select(i => new MetricPoint(key, from + i, value?.Invoke(from + i) ?? (from + i) * 0.5)).ToList();

    [Fact]
    public async Task Retried_metric_batch_is_stored_once()
    {
        var run = await tracker.NewRunAsync();
        var batch = new RunBatch(Guid.NewGuid(), Points("loss", 0, 1000), Params: new Dictionary<string, string> { ["lr"] = "0.001" });

        var first = await client.LogBatchAsync(run.Id, batch, CancellationToken.None);
        var retry = await client.LogBatchAsync(run.Id, batch, CancellationToken.None);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        var latest = Assert.Single(await client.GetLatestMetricsAsync(run.Id, CancellationToken.None));
        Assert.Equal(1000, latest.PointCount);
        Assert.Equal(1000, await tracker.CountAsync(
            "SELECT count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.run_id = $1", run.Id));
    }

    [Fact]
    public async Task Concurrent_retries_of_one_batch_store_it_once()
    {
        var run = await tracker.NewRunAsync();
        var batch = new RunBatch(Guid.NewGuid(), Points("loss", 0, 5000));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => tracker.Client().LogBatchAsync(run.Id, batch, CancellationToken.None)));

        Assert.Equal(1, results.Count(r => !r.Duplicate));
        Assert.Equal(5000, (await client.GetLatestMetricsAsync(run.Id, CancellationToken.None)).Single().PointCount);
    }

    [Fact]
    public async Task Reusing_a_batch_id_for_other_points_is_a_conflict_and_stores_nothing()
    {
        var run = await tracker.NewRunAsync();
        var id = Guid.NewGuid();
        await client.LogBatchAsync(run.Id, new RunBatch(id, Points("loss", 0, 10)), CancellationToken.None);
        var before = await tracker.SnapshotAsync(run.Id);

        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.LogBatchAsync(run.Id, new RunBatch(id, Points("loss", 10, 10)), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
    }

    [Fact]
    public async Task Batch_repeating_a_stored_step_is_rejected_whole_with_its_params_and_tags()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 0, 100)), CancellationToken.None);
        var before = await tracker.SnapshotAsync(run.Id);

        // Steps 100..199 are new, step 99 was stored: nothing of this batch may remain.
        var overlapping = new RunBatch(
            Guid.NewGuid(),
            [.. Points("acc", 0, 50), .. Points("loss", 99, 101)],
            Params: new Dictionary<string, string> { ["seed"] = "1" },
            Tags: new Dictionary<string, string> { ["stage"] = "two" });
        var error = await Assert.ThrowsAsync<TrackerApiException>(() => client.LogBatchAsync(run.Id, overlapping, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Contains("append-only", error.Problem!.Detail);
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
    }

    [Fact]
    public async Task Param_logged_again_with_the_same_value_is_a_no_op_and_with_another_value_a_conflict()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Params: new Dictionary<string, string> { ["lr"] = "1e-4", ["seed"] = "42" }), CancellationToken.None);

        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Params: new Dictionary<string, string> { ["lr"] = "1e-4" }), CancellationToken.None);
        var before = await tracker.SnapshotAsync(run.Id);
        var error = await Assert.ThrowsAsync<TrackerApiException>(() => client.LogBatchAsync(
            run.Id,
            new RunBatch(Guid.NewGuid(), Points("loss", 0, 5), new Dictionary<string, string> { ["lr"] = "3e-4", ["batch_size"] = "32" }),
            CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Contains("'lr' is '1e-4', not '3e-4'", error.Problem!.Detail);
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
        Assert.Equal("1e-4", (await client.GetRunAsync(run.Id, CancellationToken.None)).Params["lr"]);
    }

    [Fact]
    public async Task Tags_and_metadata_overwrite_and_metadata_keeps_its_structure()
    {
        var run = await tracker.NewRunAsync();
        using var gpu = JsonDocument.Parse("""{"name":"H100","memoryGiB":80,"driver":"550.54"}""");
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(),
            Tags: new Dictionary<string, string> { ["dataset"] = "spam" },
            Metadata: new Dictionary<string, JsonElement> { ["gpu"] = gpu.RootElement, ["precision"] = JsonSerializer.SerializeToElement("bf16") }), CancellationToken.None);
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(),
            Tags: new Dictionary<string, string> { ["dataset"] = "ham" },
            Metadata: new Dictionary<string, JsonElement> { ["precision"] = JsonSerializer.SerializeToElement("fp32") }), CancellationToken.None);

        var stored = await client.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal("ham", stored.Tags["dataset"]);
        Assert.Equal("fp32", stored.Metadata["precision"].GetString());
        Assert.Equal(80, stored.Metadata["gpu"].GetProperty("memoryGiB").GetInt32());
    }

    [Fact]
    public async Task NaN_and_infinities_are_stored_and_returned_as_such()
    {
        var run = await tracker.NewRunAsync();
        using var response = await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/batch",
            $$"""{"batchId":"{{Guid.NewGuid()}}","metrics":[{"key":"loss","step":0,"value":1.5},{"key":"loss","step":1,"value":"NaN"},{"key":"loss","step":2,"value":"Infinity"},{"key":"loss","step":3,"value":"-Infinity"}]}""");
        response.EnsureSuccessStatusCode();

        var page = await client.GetSeriesPageAsync(run.Id, "loss", null, 100, CancellationToken.None);
        var downsampled = await client.GetDownsampledSeriesAsync(run.Id, "loss", 10, CancellationToken.None);

        Assert.Equal([1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity], page.Points.Select(p => p.Value));
        Assert.Equal(4, downsampled.Points.Count);
        Assert.True(double.IsNaN(downsampled.Points[1].Value));
        Assert.Equal(double.NegativeInfinity, (await client.GetLatestMetricsAsync(run.Id, CancellationToken.None)).Single().Value);
    }

    public static TheoryData<string, string, string> BadBatches => new()
    {
        { "malformed JSON", """{"batchId": "00000000-0000-0000-0000-000000000001", "metrics": [""", "" },
        { "non-numeric value", """{"batchId":"00000000-0000-0000-0000-000000000002","metrics":[{"key":"loss","step":1,"value":"abc"}]}""", "metrics" },
        { "value missing", """{"batchId":"00000000-0000-0000-0000-000000000003","metrics":[{"key":"loss","step":1}]}""", "value" },
        { "batch id missing", """{"metrics":[{"key":"loss","step":1,"value":1}]}""", "batchId" },
        { "negative step", """{"batchId":"00000000-0000-0000-0000-000000000004","metrics":[{"key":"loss","step":-1,"value":1}]}""", "negative" },
        { "duplicate step in one batch", """{"batchId":"00000000-0000-0000-0000-000000000005","metrics":[{"key":"loss","step":7,"value":1},{"key":"loss","step":7,"value":2}]}""", "more than once" },
        { "key over 250 characters", $$"""{"batchId":"00000000-0000-0000-0000-000000000006","metrics":[{"key":"{{new string('k', 251)}}","step":1,"value":1}]}""", "limit is 250" },
        { "param value over 6,000 characters", $$$"""{"batchId":"00000000-0000-0000-0000-000000000007","params":{"notes":"{{{new string('v', 6001)}}}"}}""", "limit is 6000" },
        { "key with a bad character", """{"batchId":"00000000-0000-0000-0000-000000000008","tags":{"a b":"x"}}""", "letters, digits" },
        { "series arrays of different lengths", """{"batchId":"00000000-0000-0000-0000-000000000009","series":[{"key":"loss","steps":[1,2,3],"values":[1,2]}]}""", "parallel" },
        { "series step also in metrics", """{"batchId":"00000000-0000-0000-0000-00000000000a","metrics":[{"key":"loss","step":5,"value":1}],"series":[{"key":"loss","steps":[4,5],"values":[1,2]}]}""", "more than once" },
        { "series without values", """{"batchId":"00000000-0000-0000-0000-00000000000b","series":[{"key":"loss","steps":[4,5]}]}""", "values" },
        { "empty batch id", """{"batchId":"00000000-0000-0000-0000-000000000000","metrics":[]}""", "batch id" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task Bad_batch_answers_400_with_a_problem_and_leaves_the_run_as_it_was(string why, string json, string mentioned)
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 100, 10), new Dictionary<string, string> { ["lr"] = "1" }), CancellationToken.None);
        var before = await tracker.SnapshotAsync(run.Id);

        using var response = await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/batch", json);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetRawText().Contains(mentioned, StringComparison.OrdinalIgnoreCase), $"{why}: {problem.GetRawText()}");
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
    }

    [Fact]
    public async Task Points_sent_as_columns_are_stored_as_the_same_points_and_a_retry_is_recognised()
    {
        var run = await tracker.NewRunAsync();
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        List<MetricPoint> points =
        [
            new("loss", 0, 2.5, 0.0, at), new("loss", 1, double.NaN, 0.1, at.AddSeconds(1)), new("acc", 1, 0.5, null, at.AddSeconds(2)),
            new("loss", 2, double.PositiveInfinity, 0.2, at.AddSeconds(3)),
        ];
        var batch = new RunBatch(Guid.NewGuid(), Series: MetricColumns.From(points));

        var first = await client.LogBatchAsync(run.Id, batch, CancellationToken.None);
        var retry = await client.LogBatchAsync(run.Id, batch, CancellationToken.None);

        Assert.Equal((false, true, 4), (first.Duplicate, retry.Duplicate, first.MetricPoints));
        var loss = await client.GetSeriesPageAsync(run.Id, "loss", null, 100, CancellationToken.None);
        Assert.Equal(
            points.Where(p => p.Key == "loss").Select(p => (p.Step, p.Value, p.Epoch, p.Timestamp)),
            loss.Points.Select(p => (p.Step, p.Value, p.Epoch, (DateTimeOffset?)p.Timestamp)));
        Assert.Equal(0.5, (await client.GetLatestMetricsAsync(run.Id, CancellationToken.None)).Single(m => m.Key == "acc").Value);
    }

    [Fact]
    public async Task Batch_over_10000_points_in_points_and_columns_together_is_rejected()
    {
        var run = await tracker.NewRunAsync();
        var columns = MetricColumns.From(Points("acc", 0, 5_000));

        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 0, 5_001), Series: columns), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM metric_series WHERE run_id = $1", run.Id));
    }

    [Fact]
    public async Task Batch_over_10000_points_is_rejected()
    {
        var run = await tracker.NewRunAsync();

        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 0, 10_001)), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM metric_series WHERE run_id = $1", run.Id));
    }

    [Fact]
    public async Task Batch_for_an_unknown_run_is_404()
    {
        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.LogBatchAsync(Guid.NewGuid(), new RunBatch(Guid.NewGuid(), Points("loss", 0, 3)), CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.NotNull(error.Problem);
    }

    [Fact]
    public async Task Latest_value_is_the_point_with_the_highest_step_whatever_the_arrival_order()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 1000, 10, s => -s)), CancellationToken.None);
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 0, 10, s => s)), CancellationToken.None);

        var latest = (await client.GetLatestMetricsAsync(run.Id, CancellationToken.None)).Single();

        Assert.Equal(1009, latest.Step);
        Assert.Equal(-1009, latest.Value);
        Assert.Equal(20, latest.PointCount);
        Assert.Equal(0, latest.MinStep);
    }

    [Fact]
    public async Task Full_series_pages_through_every_point_in_step_order()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Points("loss", 0, 2500)), CancellationToken.None);

        var steps = new List<long>();
        long? after = null;
        var pages = 0;
        do
        {
            var page = await client.GetSeriesPageAsync(run.Id, "loss", after, 1000, CancellationToken.None);
            steps.AddRange(page.Points.Select(p => p.Step));
            after = page.NextAfterStep;
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 2500).Select(i => (long)i), steps);
    }
}
