using System.Text.Json.Nodes;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using Xunit.Abstractions;
using static EarlyBert.AppHost.Tests.Training.TrainingRunTests;

namespace EarlyBert.AppHost.Tests.Training;

/// <summary>An EarlyBERT run queued on the platform: both phases trained by the worker as one tracked run.</summary>
[Collection(PlatformCollection.Name)]
public sealed class EarlyBertRunTests(PlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public async Task Queued_smoke_run_in_earlybert_mode_records_the_mask_distance_curve_the_draw_and_a_smaller_model()
    {
        await platform.EnsureStartedAsync();
        var http = platform.CreateTrackerHttpClient();
        http.Timeout = TimeSpan.FromMinutes(2);
        var tracker = new TrackerClient(http);
        var config = Smoke(epochs: 4);
        config["training"]!["mode"] = "earlybert";
        config["earlybert"] = new JsonObject
        {
            ["search"] = new JsonObject { ["window"] = 2, ["l1_heads"] = 0.01, ["l1_ffn"] = 0.01 },
            ["dense_export"] = true,
        };
        var run = await QueueAsync(tracker, "earlybert-e2e", config);
        var done = await WaitForStatusAsync(tracker, run.Id, RunStatuses.Finished);

        // 96 examples in batches of 16, 4 epochs: 24 dense steps; a mask every step (a tenth of 6, at least 1), cap at step 7.
        var drawStep = done.Metadata["earlybert.draw_step"].GetInt64();
        var reason = done.Metadata["earlybert.draw_reason"].GetString();
        Assert.InRange(drawStep, 2, 7);
        Assert.Contains(reason, new[] { "converged", "cap" });
        Assert.Equal(7, done.Metadata["earlybert.cap_step"].GetInt64());

        // The mask-distance curve: one point per mask after the first, up to the draw.
        foreach (var key in new[] { "earlybert/mask_distance_heads", "earlybert/mask_distance_ffn" })
        {
            var curve = await SeriesAsync(tracker, run.Id, key);
            Assert.Equal(Enumerable.Range(2, (int)drawStep - 1).Select(s => (long)s), curve.Select(p => p.Step));
            Assert.All(curve, p => Assert.InRange(p.Value, 0, 1));
        }
        var latest = done.Metrics.ToDictionary(m => m.Key);
        Assert.Equal(drawStep, latest["earlybert/l1"].MaxStep);
        Assert.Equal(drawStep, latest["earlybert/kept_heads/layer_1"].MaxStep);

        // Then two thirds of the dense steps (16) on the pruned network, in the same run, steps and epochs going on.
        Assert.Equal(16, done.Metadata["earlybert.efficient.steps"].GetInt64());
        Assert.Equal((drawStep + 16, 1L, drawStep + 16), (latest["train/loss"].PointCount, latest["train/loss"].MinStep, latest["train/loss"].MaxStep));
        Assert.Equal((drawStep + 16) / 6.0, latest["train/loss"].Epoch!.Value, 9);
        Assert.True(done.Metadata["earlybert.parameters_after"].GetInt64() < done.Metadata["earlybert.parameters_before"].GetInt64());
        Assert.True(done.Metadata["earlybert.flops_per_step_after"].GetDouble() < done.Metadata["earlybert.flops_per_step_before"].GetDouble());
        foreach (var key in new[] { "earlybert.search_seconds", "earlybert.efficient_seconds", "earlybert.prune_seconds" })
            Assert.True(done.Metadata.ContainsKey(key), $"metadata lacks {key}");

        // The smaller model: one of two heads per layer removed, 40% of the 128 FFN neurons; its dense export beside it.
        var saved = JsonNode.Parse(await DownloadTextAsync(tracker, run.Id, "model/config.json"))!;
        Assert.Equal(2, saved["pruned_heads"]!.AsObject().Count);
        Assert.Equal(128 - 51, saved["earlybert_intermediate_sizes"]!.AsArray().Sum(n => n!.GetValue<int>()));
        var dense = JsonNode.Parse(await DownloadTextAsync(tracker, run.Id, "model-dense/config.json"))!.AsObject();
        Assert.False(dense.ContainsKey("earlybert_intermediate_sizes"));
        Assert.Contains("It is an EarlyBERT ticket", await DownloadTextAsync(tracker, run.Id, "README.md"));

        // A checkpoint after the draw holds the phase and the pruned shape, so a resumed run continues the pruned network.
        var afterDraw = (drawStep / 4 + 1) * 4;
        var state = JsonNode.Parse(await DownloadTextAsync(tracker, run.Id, $"checkpoint/{afterDraw:D8}/state.json"))!;
        Assert.Equal("efficient", state["state"]!["early_bert"]!["phase"]!.GetValue<string>());
        Assert.Equal(drawStep, state["state"]!["early_bert"]!["draw"]!["step"]!.GetValue<long>());
        var checkpointConfig = JsonNode.Parse(await DownloadTextAsync(tracker, run.Id, $"checkpoint/{afterDraw:D8}/model/config.json"))!;
        Assert.Equal(saved["earlybert_intermediate_sizes"]!.ToJsonString(), checkpointConfig["earlybert_intermediate_sizes"]!.ToJsonString());
        output.WriteLine($"drawn at step {drawStep} ({reason}); {done.Metadata["earlybert.parameters_before"]} -> {done.Metadata["earlybert.parameters_after"]} parameters");
    }

    private static async Task<string> DownloadTextAsync(TrackerClient tracker, Guid runId, string path)
    {
        using var content = new MemoryStream();
        await tracker.DownloadArtifactAsync(runId, path, content, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(content.ToArray());
    }
}
