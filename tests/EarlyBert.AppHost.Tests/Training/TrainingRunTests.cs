using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using Xunit.Abstractions;

namespace EarlyBert.AppHost.Tests.Training;

/// <summary>Runs trained by the platform's worker, end to end: tracker, PostgreSQL and S3 under the AppHost.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TrainingRunTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Queued_smoke_run_is_trained_by_the_worker_with_params_every_metric_point_metadata_and_checked_artifacts()
    {
        await platform.EnsureStartedAsync();
        var tracker = Tracker();
        var run = await QueueAsync(tracker, "smoke-e2e", Smoke(epochs: 2));
        var done = await WaitForStatusAsync(tracker, run.Id, RunStatuses.Finished);
        output.WriteLine($"finished in {(done.EndedAt - done.StartedAt)?.TotalSeconds:0.0} s on {done.WorkerId}");

        // The stored config is the resolved one: "auto" replaced by the step count, threads written out.
        Assert.Equal(12, done.Config.GetProperty("optimizer").GetProperty("learning_rate").GetProperty("config").GetProperty("decay_steps").GetInt64());
        Assert.Equal(1, done.Config.GetProperty("training").GetProperty("threads").GetInt32());
        Assert.Equal("16", done.Params["training.batch_size"]);
        Assert.Equal("0.001", done.Params["learning_rate"]);

        foreach (var key in new[] { "versions.earlybert", "versions.dotnet", "versions.torchsharp", "versions.libtorch", "versions.tokenizers", "precision", "device",
                     "device_name", "threads", "math_kernels", "deterministic", "seed", "data.name", "data.sha256", "tokenizer.vocab_sha256", "model.base", "model.base_sha256" })
            Assert.True(done.Metadata.ContainsKey(key), $"metadata lacks {key}");
        Assert.Equal("spam-assassin", done.Metadata["data.name"].GetString());
        Assert.Equal("float32", done.Metadata["precision"].GetString());

        // Every logged point arrived: 12 steps logged every step, 2 epochs evaluated.
        var latest = done.Metrics.ToDictionary(m => m.Key);
        foreach (var key in new[] { "train/loss", "train/learning_rate", "train/grad_norm", "train/seq_per_s", "train/step_ms", "process/rss_mb" })
            Assert.Equal((12, 1L, 12L), (latest[key].PointCount, latest[key].MinStep, latest[key].MaxStep));
        foreach (var key in new[] { "eval/loss", "eval/accuracy", "eval/f1_macro", "epoch/train_loss", "epoch/validation_loss" })
            Assert.Equal((2L, 12L), (latest[key].PointCount, latest[key].MaxStep));
        Assert.Equal(2.0, latest["epoch/train_loss"].Epoch!.Value, 12);

        var artifacts = (await tracker.ListArtifactsAsync(run.Id, CancellationToken.None)).ToDictionary(a => a.Path);
        foreach (var path in new[] { "model/config.json", "model/model.safetensors", "model/vocab.txt", "model/tokenizer_config.json", "config.json", "README.md",
                     "eval/confusion_matrix.json", "training.log", "checkpoint/00000004/state.json", "checkpoint/00000008/model/model.safetensors" })
        {
            Assert.True(artifacts.ContainsKey(path), $"artifact {path} missing; have {string.Join(", ", artifacts.Keys)}");
            using var content = new MemoryStream();
            var header = await tracker.DownloadArtifactAsync(run.Id, path, content, CancellationToken.None);
            var actual = Convert.ToHexStringLower(SHA256.HashData(content.ToArray()));
            Assert.Equal(artifacts[path].Sha256, actual);
            Assert.Equal(actual, header);
            Assert.Equal(artifacts[path].Size, content.Length);
        }

        // The model card has its three sections, and import-card reads it back into a config.
        var card = Path.Combine(platform.StateDirectory, $"card-{run.Id}.md");
        await using (var file = File.Create(card))
            await tracker.DownloadArtifactAsync(run.Id, "README.md", file, CancellationToken.None);
        var text = await File.ReadAllTextAsync(card);
        Assert.Contains("### Training hyperparameters", text);
        Assert.Contains("### Training results", text);
        Assert.Contains("### Framework versions", text);
        var imported = await TrainerCli.RunAsync("import-card", card);
        Assert.True(imported.ExitCode == 0, imported.StandardError);
        var importedConfig = JsonNode.Parse(imported.StandardOutput)!;
        Assert.Equal(12, importedConfig["optimizer"]!["learning_rate"]!["config"]!["decay_steps"]!.GetValue<long>());
        Assert.Equal(0.001, importedConfig["optimizer"]!["learning_rate"]!["config"]!["initial_learning_rate"]!.GetValue<double>());
        Assert.Equal("float32", importedConfig["training"]!["precision"]!.GetValue<string>());
        Assert.Contains("TorchSharp", importedConfig["reference_versions"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Cancel_from_the_api_stops_a_running_run_within_a_step_and_a_heartbeat_with_a_checkpoint()
    {
        await platform.EnsureStartedAsync();
        var tracker = Tracker();
        var run = await QueueAsync(tracker, "cancel-e2e", Smoke(epochs: 400));
        await WaitForStepAsync(tracker, run.Id, 20);
        var clock = Stopwatch.StartNew();
        await tracker.CancelRunAsync(run.Id, CancellationToken.None);
        var stepAtCancel = (await tracker.GetLatestMetricsAsync(run.Id, CancellationToken.None)).Single(m => m.Key == "train/loss").MaxStep;
        var cancelled = await WaitForStatusAsync(tracker, run.Id, RunStatuses.Cancelled);
        output.WriteLine($"cancelled {clock.Elapsed.TotalSeconds:0.0} s after the request: {cancelled.StatusReason}");
        Assert.StartsWith("cancelled on request at step ", cancelled.StatusReason);
        var stoppedAt = long.Parse(cancelled.StatusReason!.Split(' ')[5].TrimEnd(';'), System.Globalization.CultureInfo.InvariantCulture);
        var lastLogged = cancelled.Metrics.Single(m => m.Key == "train/loss").MaxStep;
        Assert.Equal(stoppedAt, lastLogged);
        // One heartbeat (1 s here) plus a step: a small model makes well under 100 steps a second on two cores.
        Assert.InRange(stoppedAt - stepAtCancel, 0, 150);
        Assert.Contains((await tracker.ListArtifactsAsync(run.Id, CancellationToken.None)).Select(a => a.Path), p => p == $"checkpoint/{stoppedAt:D8}/state.json");
    }

    [Fact]
    public async Task Train_command_against_the_tracker_records_a_finished_run_that_no_platform_worker_takes()
    {
        await platform.EnsureStartedAsync();
        var data = Path.Combine(platform.StateDirectory, $"cli-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(data, ["text,label", .. Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"minutes of the review {i},ham" : $"cheap loans today {i},spam")]);
        var url = platform.App.GetEndpoint("tracker", "http").ToString();
        var trained = await TrainerCli.RunAsync("train", "--preset", "smoke", "--tracker", url, "--set", $"data.train_file={data}", "--set", "training.epochs=1",
            "--set", "training.batch_size=8", "--set", "experiment=cli");
        Assert.True(trained.ExitCode == 0, trained.StandardError);
        var summary = JsonNode.Parse(trained.StandardOutput)!;
        Assert.Equal("finished", summary["status"]!.GetValue<string>());
        var run = await Tracker().GetRunAsync(Guid.Parse(summary["run_id"]!.GetValue<string>()), CancellationToken.None);
        Assert.Equal(RunStatuses.Finished, run.Status);
        Assert.Equal("cli", run.Experiment);
        Assert.StartsWith("cli-", run.WorkerId);
        Assert.Equal(5, run.Metrics.Single(m => m.Key == "train/loss").PointCount);
        Assert.Equal(summary["metrics"]!["train/loss"]!.GetValue<double>(), run.Metrics.Single(m => m.Key == "train/loss").Value);
        Assert.Contains((await Tracker().ListArtifactsAsync(run.Id, CancellationToken.None)).Select(a => a.Path), p => p == "README.md");
    }

    [Fact]
    public async Task Offline_run_uploaded_twice_lands_once_with_every_record()
    {
        await platform.EnsureStartedAsync();
        var folder = Path.Combine(platform.StateDirectory, $"offline-{Guid.NewGuid():N}");
        var data = Path.Combine(platform.StateDirectory, $"offline-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(data, ["text,label", .. Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"agenda for the review {i},ham" : $"free money click {i},spam")]);
        var trained = await TrainerCli.RunAsync("train", "--preset", "smoke", "--offline", folder,
            "--set", $"data.train_file={data}", "--set", "training.epochs=2", "--set", "training.batch_size=8");
        Assert.True(trained.ExitCode == 0, trained.StandardError);

        var url = platform.App.GetEndpoint("tracker", "http").ToString();
        var first = await TrainerCli.RunAsync("upload", folder, "--tracker", url);
        Assert.True(first.ExitCode == 0, first.StandardError);
        var second = await TrainerCli.RunAsync("upload", folder, "--tracker", url);
        Assert.True(second.ExitCode == 0, second.StandardError);
        var runId = Guid.Parse(JsonNode.Parse(first.StandardOutput)!["run_id"]!.GetValue<string>());
        Assert.Equal(runId, Guid.Parse(JsonNode.Parse(second.StandardOutput)!["run_id"]!.GetValue<string>()));

        var run = await Tracker().GetRunAsync(runId, CancellationToken.None);
        Assert.Equal(RunStatuses.Finished, run.Status);
        var expectedPoints = File.ReadLines(Path.Combine(folder, "metrics.jsonl")).Count(l => l.Contains("\"train/loss\"", StringComparison.Ordinal));
        // 40 examples less a stratified tenth for validation: 36, in batches of 8 (the last one short), 2 epochs.
        Assert.Equal(10, expectedPoints);
        Assert.Equal(expectedPoints, run.Metrics.Single(m => m.Key == "train/loss").PointCount);
        Assert.Equal("smoke", run.Config.GetProperty("preset").GetString());
        Assert.Contains((await Tracker().ListArtifactsAsync(runId, CancellationToken.None)).Select(a => a.Path), p => p == "model/model.safetensors");
    }

    private TrackerClient Tracker()
    {
        var http = platform.CreateTrackerHttpClient();
        http.Timeout = TimeSpan.FromMinutes(2);
        return new TrackerClient(http);
    }

    /// <summary>The smoke preset's shape (a tiny random BERT on 96 SpamAssassin emails), logging every step.</summary>
    internal static JsonObject Smoke(int epochs, int checkpointEvery = 4) => new()
    {
        ["schema_version"] = 1,
        ["model"] = new JsonObject
        {
            ["source"] = "builtin:random",
            ["architecture"] = new JsonObject { ["hidden_size"] = 32, ["num_hidden_layers"] = 2, ["num_attention_heads"] = 2, ["intermediate_size"] = 64, ["max_position_embeddings"] = 64 },
        },
        ["tokenizer"] = new JsonObject { ["max_length"] = 64 },
        ["data"] = new JsonObject { ["name"] = "spam-assassin", ["max_train_examples"] = 96, ["max_validation_examples"] = 32 },
        ["training"] = new JsonObject { ["epochs"] = epochs, ["batch_size"] = 16, ["log_every_steps"] = 1, ["threads"] = 1, ["checkpoint_every_steps"] = checkpointEvery, ["device"] = "cpu" },
        ["optimizer"] = new JsonObject
        {
            ["name"] = "AdamWeightDecay",
            ["learning_rate"] = new JsonObject
            {
                ["class_name"] = "PolynomialDecay",
                ["config"] = new JsonObject { ["initial_learning_rate"] = 1e-3, ["decay_steps"] = "auto", ["end_learning_rate"] = 0.0, ["power"] = 1.0, ["cycle"] = false, ["name"] = null },
            },
            ["decay"] = 0.0, ["beta_1"] = 0.9, ["beta_2"] = 0.999, ["epsilon"] = 1e-8, ["amsgrad"] = false, ["weight_decay_rate"] = 0.01,
        },
    };

    internal static async Task<Run> QueueAsync(TrackerClient tracker, string name, JsonObject config)
    {
        await tracker.EnsureExperimentAsync("e2e", null, CancellationToken.None);
        return await tracker.CreateRunAsync(new CreateRun("e2e", $"{name}-{Guid.NewGuid():N}"[..24], RunStatuses.Queued, JsonSerializer.SerializeToElement(config)), CancellationToken.None);
    }

    internal static async Task<Run> WaitForStatusAsync(TrackerClient tracker, Guid runId, string status)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            var run = await tracker.GetRunAsync(runId, CancellationToken.None);
            if (run.Status == status) return run;
            if (RunStatuses.IsTerminal(run.Status) && run.Status != RunStatuses.Crashed || DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Run {runId} is {run.Status} ({run.StatusReason}), expected {status}.");
            await Task.Delay(250);
        }
    }

    internal static async Task<long> WaitForStepAsync(TrackerClient tracker, Guid runId, long step)
    {
        var deadline = DateTime.UtcNow + RunTimeout;
        while (true)
        {
            var latest = await tracker.GetLatestMetricsAsync(runId, CancellationToken.None);
            if (latest.FirstOrDefault(m => m.Key == "train/loss") is { } loss && loss.MaxStep >= step) return loss.MaxStep;
            var run = await tracker.GetRunAsync(runId, CancellationToken.None);
            if (RunStatuses.IsTerminal(run.Status) || DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"Run {runId} is {run.Status} ({run.StatusReason}) before reaching step {step}.");
            await Task.Delay(100);
        }
    }

    internal static async Task<List<SeriesPoint>> SeriesAsync(TrackerClient tracker, Guid runId, string key)
    {
        var points = new List<SeriesPoint>();
        long? after = null;
        do
        {
            var page = await tracker.GetSeriesPageAsync(runId, key, after, 1000, CancellationToken.None);
            points.AddRange(page.Points);
            after = page.NextAfterStep;
        }
        while (after is not null);
        return points;
    }
}
