using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Training.Data;
using EarlyBert.Training.ModelCards;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EarlyBert.Training.Tests.Training;

public sealed class TrainingJobTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-job-").FullName;

    [Fact]
    public async Task Train_job_on_pretokenized_full_batch_reproduces_the_keras_golden_trajectory_within_1e_5()
    {
        var config = GoldenConfig(new JsonObject
        {
            ["name"] = "AdamWeightDecay",
            ["learning_rate"] = new JsonObject
            {
                ["class_name"] = "PolynomialDecay",
                ["config"] = new JsonObject { ["initial_learning_rate"] = 1e-3, ["decay_steps"] = 10, ["end_learning_rate"] = 0.0, ["power"] = 1.0, ["cycle"] = false },
            },
            ["beta_1"] = 0.9, ["beta_2"] = 0.999, ["epsilon"] = 1e-8, ["weight_decay_rate"] = 0.01,
        });
        await AssertMatchesGoldenAsync(config, "train_keras.json");
    }

    [Fact]
    public async Task Train_job_on_pretokenized_full_batch_reproduces_the_torch_adamw_golden_trajectory_within_1e_5()
    {
        var config = GoldenConfig(new JsonObject
        {
            ["name"] = "AdamW",
            ["learning_rate"] = new JsonObject
            {
                ["class_name"] = "LinearScheduleWithWarmup",
                ["config"] = new JsonObject { ["learning_rate"] = 1e-3, ["warmup_steps"] = 0, ["total_steps"] = "auto" },
            },
            ["beta_1"] = 0.9, ["beta_2"] = 0.999, ["epsilon"] = 1e-8, ["weight_decay_rate"] = 0.01,
        }) with { Training = new TrainingSection { MaxSteps = 6, BatchSize = 4, Threads = 1, LogEverySteps = 1, Device = "cpu" } };
        // total_steps "auto" resolves to max_steps (6); the golden schedule decays over 10 steps, so set it.
        config = RunConfigJson.Apply(config, ["optimizer.learning_rate.config.total_steps=10"]);
        await AssertMatchesGoldenAsync(config, "train_torch.json");
    }

    [Fact]
    public async Task Resumed_run_logs_bitwise_the_same_losses_as_an_uninterrupted_run()
    {
        var config = SmallTextConfig() with
        {
            Training = new TrainingSection { Epochs = 2, BatchSize = 8, Threads = 1, LogEverySteps = 1, CheckpointEverySteps = 3, Device = "cpu", Seed = 7 },
        };
        var whole = Path.Combine(folder, "whole");
        var uninterrupted = await RunAsync(config, whole);
        Assert.Equal(TrainingEnd.Finished, uninterrupted.End);
        var steps = uninterrupted.Steps;
        Assert.Equal(10, steps); // 40 examples, batch 8, 2 epochs
        var wholeLosses = Losses(whole);

        // The last checkpoint the uninterrupted run left is the one at step 9 (3, 6, 9; none at the end).
        var checkpoint = Path.Combine(whole, "work", "checkpoint");
        Assert.Equal(9, TrainingCheckpoint.ReadState(checkpoint).Step);
        var resumed = Path.Combine(folder, "resumed");
        await RunAsync(config, resumed, resumeFrom: checkpoint);
        var resumedLosses = Losses(resumed);
        Assert.Equal([10L], resumedLosses.Keys);
        Assert.Equal(BitConverter.DoubleToInt64Bits(wholeLosses[10]), BitConverter.DoubleToInt64Bits(resumedLosses[10]));

        // And from an epoch-internal checkpoint: step 3 of 5 in the first epoch.
        var early = Path.Combine(folder, "early");
        // Stopped early by max_steps, with the schedule of the whole run (decay over 10 steps, not 4).
        var shortened = RunConfigJson.Apply(config with { Training = config.Training with { MaxSteps = 4 } }, ["optimizer.learning_rate.config.decay_steps=10"]);
        await RunAsync(shortened, early);
        var fromStep3 = Path.Combine(folder, "from-step-3");
        await RunAsync(config, fromStep3, resumeFrom: Path.Combine(early, "work", "checkpoint"));
        var continued = Losses(fromStep3);
        Assert.Equal(Enumerable.Range(4, 7).Select(s => (long)s), continued.Keys.Order());
        foreach (var (step, loss) in continued)
            Assert.True(BitConverter.DoubleToInt64Bits(wholeLosses[step]) == BitConverter.DoubleToInt64Bits(loss), $"step {step}: {wholeLosses[step]:R} vs {loss:R}");
        output.WriteLine($"losses: {string.Join(", ", wholeLosses.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value:F6}"))}");
    }

    [Fact]
    public async Task Stop_request_saves_a_checkpoint_and_ends_the_run_cancelled_at_that_step()
    {
        var config = SmallTextConfig();
        var recorder = new StoppingRecorder(Path.Combine(folder, "stopped"), stopAfterPoints: 3 * 6);
        TrainingOutcome outcome;
        using (recorder)
            outcome = await new TrainingJob(config, recorder, new TrainingJobOptions { WorkDirectory = Path.Combine(folder, "stopped", "work") }, NullLogger.Instance)
                .RunAsync(CancellationToken.None);
        Assert.Equal(TrainingEnd.Cancelled, outcome.End);
        Assert.Equal(3, outcome.Steps);
        Assert.Equal(3, TrainingCheckpoint.ReadState(Path.Combine(folder, "stopped", "work", "checkpoint")).Step);
        Assert.False(File.Exists(Path.Combine(folder, "stopped", "artifacts", "model", "model.safetensors")));
    }

    [Fact]
    public async Task Finished_run_records_params_metadata_every_metric_key_and_a_model_card_that_reads_back()
    {
        var config = SmallTextConfig();
        var run = Path.Combine(folder, "full");
        var outcome = await RunAsync(config, run);

        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "params.json")))!.AsObject();
        Assert.Equal("8", parameters["training.batch_size"]!.GetValue<string>());
        Assert.Equal("0.001", parameters["learning_rate"]!.GetValue<string>());
        Assert.Equal("5", parameters["optimizer.learning_rate.config.decay_steps"]!.GetValue<string>());
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metadata.json")))!.AsObject();
        foreach (var key in new[] { "versions.earlybert", "versions.dotnet", "versions.torchsharp", "versions.libtorch", "versions.tokenizers", "precision", "device",
                     "device_name", "threads", "math_kernels", "deterministic", "seed", "data.name", "data.sha256", "tokenizer.vocab_sha256", "model.base", "model.base_sha256",
                     "runtime.mkl_avx2", "runtime.fused_adam", "runtime.philox_dropout" })
            Assert.True(metadata.ContainsKey(key), $"metadata lacks {key}");
        Assert.Equal("float32", metadata["precision"]!.GetValue<string>());
        Assert.Equal(64, metadata["data.sha256"]!.GetValue<string>().Length);

        var points = OfflineRunFolder.ReadMetrics(run).ToList();
        var perKey = points.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Count());
        foreach (var key in new[] { MetricKeys.TrainLoss, MetricKeys.LearningRate, MetricKeys.GradNorm, MetricKeys.SequencesPerSecond, MetricKeys.StepMilliseconds, MetricKeys.ResidentMegabytes })
            Assert.Equal(5, perKey[key]);
        foreach (var key in new[] { MetricKeys.EvalLoss, MetricKeys.EvalAccuracy, MetricKeys.EvalF1Macro, MetricKeys.EpochTrainLoss, MetricKeys.EpochValidationLoss })
            Assert.Equal(1, perKey[key]);
        Assert.Equal(1.0, points.Single(p => p.Key == MetricKeys.EpochTrainLoss).Epoch, 12);
        Assert.Equal(outcome.LastEvaluation!.Accuracy, points.Single(p => p.Key == MetricKeys.EvalAccuracy).Value);

        foreach (var artifact in new[] { "model/config.json", "model/model.safetensors", "model/vocab.txt", "model/tokenizer_config.json", "config.json", "eval/confusion_matrix.json", "README.md" })
            Assert.True(File.Exists(Path.Combine(run, "artifacts", artifact)), $"artifact {artifact} missing");
        var card = ModelCardReader.Parse(File.ReadAllText(Path.Combine(run, "artifacts", "README.md")));
        Assert.Equal("AdamWeightDecay", card.Optimizer["name"]!.GetValue<string>());
        Assert.Equal(5, card.Optimizer["learning_rate"]!["config"]!["decay_steps"]!.GetValue<long>());
        Assert.Equal("float32", card.TrainingPrecision);
        var row = Assert.Single(card.Results);
        Assert.Equal(0, row.Epoch);
        Assert.Equal(points.Single(p => p.Key == MetricKeys.EpochTrainLoss).Value, row.TrainLoss, 4);
        Assert.Equal(["EarlyBert", "TorchSharp", "libtorch", ".NET", "Microsoft.ML.Tokenizers"], card.FrameworkVersions.Select(v => v.Key));
        var resolved = RunConfigJson.Parse(File.ReadAllText(Path.Combine(run, "config.json")));
        Assert.Equal(1, resolved.Training.Threads);
        Assert.Equal(5, resolved.Optimizer["learning_rate"]!["config"]!["decay_steps"]!.GetValue<long>());
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private async Task AssertMatchesGoldenAsync(RunConfig config, string goldenFile)
    {
        var run = Path.Combine(folder, Path.GetFileNameWithoutExtension(goldenFile));
        var outcome = await RunAsync(config, run);
        Assert.Equal(6, outcome.Steps);
        var golden = Golden.Json(goldenFile)["steps"]!.AsArray();
        var losses = Losses(run);
        var rates = OfflineRunFolder.ReadMetrics(run).Where(p => p.Key == MetricKeys.LearningRate).OrderBy(p => p.Step).Select(p => p.Value).ToList();
        var worst = Tolerance.AssertClose(golden.Select(s => s!["loss"]!.GetValue<double>()).ToList(), losses.OrderBy(p => p.Key).Select(p => p.Value).ToList(), 1e-5, "loss");
        Tolerance.AssertClose(golden.Select(s => s!["lr"]!.GetValue<double>()).ToList(), rates, 1e-12, "lr");
        output.WriteLine($"{goldenFile}: max |loss diff| through the train job {worst:E2}");
    }

    private RunConfig GoldenConfig(JsonObject optimizer)
    {
        var forward = Golden.Json("forward.json");
        var data = Path.Combine(folder, "golden.jsonl");
        var rows = Enumerable.Range(0, 4).Select(i => new JsonObject
        {
            ["input_ids"] = forward["input_ids"]![i]!.DeepClone(),
            ["attention_mask"] = forward["attention_mask"]![i]!.DeepClone(),
            ["token_type_ids"] = forward["token_type_ids"]![i]!.DeepClone(),
            ["label"] = $"LABEL_{forward["labels"]![i]!.GetValue<long>()}",
        }.ToJsonString());
        File.WriteAllLines(data, rows);
        return new RunConfig
        {
            Model = new ModelSection { Source = Golden.Directory },
            Tokenizer = new TokenizerSection { MaxLength = 64 },
            Data = new DataConfig { Name = null, TrainFile = data, ValidationFraction = 0, Shuffle = false },
            Training = new TrainingSection { MaxSteps = 6, BatchSize = 4, Threads = 1, LogEverySteps = 1, Device = "cpu" },
            Optimizer = optimizer,
        };
    }

    private RunConfig SmallTextConfig()
    {
        var data = SmallTextData.Write(folder);
        return new RunConfig
        {
            Name = "small",
            Model = new ModelSection
            {
                Source = ModelSection.Random,
                Architecture = new ArchitectureSection { HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 },
            },
            Tokenizer = new TokenizerSection { Vocab = Path.Combine(Golden.Directory, "vocab.txt"), MaxLength = 32 },
            Data = new DataConfig { Name = null, TrainFile = data, ValidationFraction = 0.2, SplitSeed = 3 },
            Training = new TrainingSection { Epochs = 1, BatchSize = 8, Threads = 1, LogEverySteps = 1, Device = "cpu", Seed = 5 },
            Optimizer = CardOptimizerAt(1e-3),
        };
    }

    private static JsonObject CardOptimizerAt(double learningRate)
    {
        var optimizer = Presets.CardOptimizer();
        optimizer["learning_rate"]!["config"]!["initial_learning_rate"] = learningRate;
        return optimizer;
    }

    private static async Task<TrainingOutcome> RunAsync(RunConfig config, string run, string? resumeFrom = null)
    {
        using var recorder = new OfflineRunFolder(run);
        var outcome = await new TrainingJob(config, recorder, new TrainingJobOptions
        {
            WorkDirectory = Path.Combine(run, "work"),
            ResumeFrom = resumeFrom,
            OnResolved = (resolved, _) =>
            {
                recorder.WriteConfig(resolved);
                return Task.CompletedTask;
            },
        }, NullLogger.Instance).RunAsync(CancellationToken.None);
        return outcome;
    }

    private static Dictionary<long, double> Losses(string run) =>
        OfflineRunFolder.ReadMetrics(run).Where(p => p.Key == MetricKeys.TrainLoss).ToDictionary(p => p.Step, p => p.Value);

    /// <summary>An offline folder whose stop flag rises once a number of metric points were logged.</summary>
    private sealed class StoppingRecorder(string directory, int stopAfterPoints) : IRunRecorder, IDisposable
    {
        private readonly OfflineRunFolder inner = new(directory);
        private int points;

        public bool StopRequested => points >= stopAfterPoints;
        public void LogParams(IReadOnlyDictionary<string, string> values) => inner.LogParams(values);
        public void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values) => inner.LogMetadata(values);
        public void LogArtifact(string path, string file, string contentType) => inner.LogArtifact(path, file, contentType);
        public void Dispose() => inner.Dispose();

        public void LogMetrics(IReadOnlyList<MetricSample> samples)
        {
            points += samples.Count;
            inner.LogMetrics(samples);
        }
    }
}

public sealed class CheckpointLocateTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-locate-").FullName;

    [Fact]
    public void Checkpoint_save_interrupted_between_its_renames_is_still_found_complete()
    {
        var live = Path.Combine(folder, "checkpoint");
        Assert.Null(TrainingCheckpoint.Locate(live));
        // Killed after moving the live folder aside and before moving the new one in: both copies are complete.
        Directory.CreateDirectory(live + ".old");
        File.WriteAllText(Path.Combine(live + ".old", "state.json"), "{}");
        Assert.Equal(live + ".old", TrainingCheckpoint.Locate(live));
        Directory.CreateDirectory(live + ".partial");
        File.WriteAllText(Path.Combine(live + ".partial", "state.json"), "{}");
        Assert.Equal(live + ".partial", TrainingCheckpoint.Locate(live));
        // A staging folder without state.json was cut short while being written and is never taken.
        File.Delete(Path.Combine(live + ".partial", "state.json"));
        Assert.Equal(live + ".old", TrainingCheckpoint.Locate(live));
        Directory.CreateDirectory(live);
        File.WriteAllText(Path.Combine(live, "state.json"), "{}");
        Assert.Equal(live, TrainingCheckpoint.Locate(live));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
