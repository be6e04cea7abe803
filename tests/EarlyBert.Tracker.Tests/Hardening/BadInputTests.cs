using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace EarlyBert.Tracker.Tests.Hardening;

public sealed class BadInputTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Downsampled_reads_compare_and_pages_hold_maxPoints_for_steps_up_to_long_max()
    {
        // 300 points: 150 from step 0, 150 ending at long.MaxValue, so the step span is the whole of int64's positive half.
        var steps = Enumerable.Range(0, 150).Select(i => (long)i).Concat(Enumerable.Range(0, 150).Select(i => long.MaxValue - 149 + i)).ToArray();
        var runs = new List<Guid>();
        for (var r = 0; r < 2; r++)
        {
            var run = await tracker.NewRunAsync();
            await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), [.. steps.Select((s, i) => new MetricPoint("loss", s, i % 7 == 0 ? double.NaN : i))]), CancellationToken.None);
            runs.Add(run.Id);
        }

        StepRange?[] ranges = [null, new(long.MinValue, long.MaxValue), new(0, 0), new(long.MaxValue, long.MaxValue), new(100, long.MaxValue - 100), new(long.MinValue, 0)];
        foreach (var maxPoints in new[] { Downsampler.MinPoints, 11, 50, 1000 })
        {
            foreach (var range in ranges)
            {
                var series = await client.GetDownsampledSeriesAsync(runs[0], "loss", maxPoints, CancellationToken.None, range, withTimes: true);
                Assert.True(series.Steps.Count <= maxPoints, $"{series.Steps.Count} points for maxPoints {maxPoints} and range {range}");
                Assert.All(series.Steps, step => Assert.True(range is not { } r || (step >= r.From && step <= r.To)));
                Assert.Equal(series.Steps.Order().ToArray(), series.Steps);
                if (range is null)
                {
                    Assert.Equal([0L, long.MaxValue], new[] { series.Steps[0], series.Steps[^1] });
                }

                var comparison = await client.CompareAsync(runs, ["loss"], maxPoints, CancellationToken.None, range);
                Assert.All(comparison.Metrics[0].Series, s => Assert.True(s!.Steps.Count <= maxPoints));
            }
        }

        // Paging from any afterStep: pages never overflow and cover every point exactly once.
        Assert.Empty((await client.GetSeriesPageAsync(runs[0], "loss", long.MaxValue, 10, CancellationToken.None)).Points);
        var all = new List<long>();
        long? after = long.MinValue;
        do
        {
            var page = await client.GetSeriesPageAsync(runs[0], "loss", after, 64, CancellationToken.None);
            all.AddRange(page.Points.Select(p => p.Step));
            after = page.NextAfterStep;
        }
        while (after is not null);

        Assert.Equal(steps, all);
    }

    [Fact]
    public async Task Ended_runs_refuse_metrics_params_and_artifacts_with_409_and_still_take_tags()
    {
        foreach (var status in new[] { RunStatuses.Finished, RunStatuses.Failed, RunStatuses.Cancelled })
        {
            var run = await tracker.NewRunAsync();
            var stored = new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 1)], new Dictionary<string, string> { ["lr"] = "0.1" });
            await client.LogBatchAsync(run.Id, stored, CancellationToken.None);
            await client.UpdateRunAsync(run.Id, new UpdateRun(status), CancellationToken.None);
            var before = await tracker.SnapshotAsync(run.Id);

            using var http = tracker.CreateClient();
            foreach (var json in new[]
            {
                $$$"""{"batchId": "{{{Guid.NewGuid()}}}", "metrics": [{"key": "loss", "step": 1, "value": 2}]}""",
                $$$"""{"batchId": "{{{Guid.NewGuid()}}}", "params": {"other": "1"}}""",
                $$$"""{"batchId": "{{{Guid.NewGuid()}}}", "series": [{"key": "acc", "steps": [5], "values": [0.5]}], "tags": {"t": "v"}}""",
            })
            {
                var problem = await (await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/batch", json)).AssertProblemAsync(HttpStatusCode.Conflict);
                Assert.Contains(status, problem.GetProperty("detail").GetString());
            }

            using var upload = new ByteArrayContent([1, 2, 3]);
            await (await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=late.bin", upload)).AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
            Assert.Empty(await client.ListArtifactsAsync(run.Id, CancellationToken.None));

            // A retry of the batch stored while it ran is still a duplicate, and tags and metadata stay editable.
            Assert.True((await client.LogBatchAsync(run.Id, stored, CancellationToken.None)).Duplicate);
            await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Tags: new Dictionary<string, string> { ["reviewed"] = "yes" }), CancellationToken.None);
            await client.UpdateRunAsync(run.Id, new UpdateRun(Notes: "looked at it", Tags: new Dictionary<string, string> { ["verdict"] = "ok" }), CancellationToken.None);
            var after = await client.GetRunAsync(run.Id, CancellationToken.None);
            Assert.Equal("yes", after.Tags["reviewed"]);
            Assert.Equal("ok", after.Tags["verdict"]);
        }
    }

    [Fact]
    public async Task Artifact_paths_whose_S3_key_is_over_1024_bytes_or_512_characters_are_refused()
    {
        var run = await tracker.NewRunAsync();
        using var http = tracker.CreateClient();
        // '€' is three bytes of UTF-8: 400 of them fit the MinIO client's 512 characters but not S3's 1,024 bytes.
        foreach (var path in new[] { string.Join('/', Enumerable.Repeat(new string('€', 100), 4)), Segments(ArtifactPath.MaxLength + 1) })
        {
            using var content = new ByteArrayContent([1]);
            var problem = await (await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path={Uri.EscapeDataString(path)}", content))
                .AssertProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("path", out _));
        }

        var longest = Segments(ArtifactPath.MaxLength);
        await client.UploadArtifactAsync(run.Id, longest, new MemoryStream([7]), "application/octet-stream", CancellationToken.None);
        Assert.Equal(512, ArtifactPath.ObjectKey(run.Id, longest).Length);
        Assert.Equal(longest, Assert.Single(await client.ListArtifactsAsync(run.Id, CancellationToken.None)).Path);
    }

    // A path of exactly this many ASCII characters in segments of at most 200.
    private static string Segments(int bytes)
    {
        var segments = new List<string>();
        for (var left = bytes; left > 0; left -= 201)
        {
            segments.Add(new string('a', Math.Min(200, left)));
        }

        return string.Join('/', segments);
    }

    [Fact]
    public async Task Artifacts_over_MaxArtifactBytes_are_refused_with_413_and_store_nothing()
    {
        using var small = tracker.WithWebHostBuilder(builder => builder.UseSetting("Tracker:MaxArtifactBytes", "1000"));
        var run = await tracker.NewRunAsync();
        using var http = small.CreateClient();
        using var content = new ByteArrayContent(new byte[1001]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await (await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=big.bin", content)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await client.ListArtifactsAsync(run.Id, CancellationToken.None));

        using var fits = new ByteArrayContent(new byte[1000]);
        (await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=fits.bin", fits)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_number_beyond_double_in_a_config_or_metadata_is_a_400_naming_the_field()
    {
        var run = await tracker.NewRunAsync();
        var before = await tracker.SnapshotAsync(run.Id);
        using var http = tracker.CreateClient();
        using var patch = new StringContent("""{"config": {"training": {"lr": 1e999}}}""", Encoding.UTF8, "application/json");
        var problem = await (await http.PatchAsync($"/api/runs/{run.Id}", patch)).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("config.training.lr", out _), problem.ToString());

        problem = await (await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/batch",
            $$$$"""{"batchId": "{{{{Guid.NewGuid()}}}}", "metadata": {"gpu": {"memory": [1, -1e400]}}}""")).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("metadata.gpu.memory[1]", out _), problem.ToString());
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
    }
}
