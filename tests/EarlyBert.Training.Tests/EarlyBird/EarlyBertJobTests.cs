using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Optimization;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Tests.Training;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class EarlyBertJobTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-mode-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Earlybert_run_records_the_search_draws_a_ticket_and_trains_and_saves_the_smaller_model()
    {
        var config = SmallConfig() with { EarlyBert = SmallConfig().EarlyBert with { DenseExport = true } };
        var run = Path.Combine(folder, "run");
        using (var recorder = new OfflineRunFolder(run))
        {
            var outcome = await new TrainingJob(config, recorder, new TrainingJobOptions { WorkDirectory = Path.Combine(run, "work") }, NullLogger.Instance)
                .RunAsync(CancellationToken.None);
            Assert.Equal(TrainingEnd.Finished, outcome.End);
        }

        var metrics = OfflineRunFolder.ReadMetrics(run).ToList();
        var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metadata.json")))!.AsObject();
        var drawStep = meta["earlybert.draw_step"]!.GetValue<long>();
        var reason = meta["earlybert.draw_reason"]!.GetValue<string>();
        // 40 training examples in batches of 8, 4 epochs: 20 dense steps; cap 0.3 × 20 = step 6; a mask every step.
        Assert.InRange(drawStep, 5, 6);
        Assert.Contains(reason, new[] { "converged", "cap" });
        Assert.Equal(drawStep, metrics.Where(m => m.Key == EarlyBirdMetricKeys.L1).Max(m => m.Step));
        Assert.Equal(Enumerable.Range(2, (int)drawStep - 1).Select(i => (long)i), metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceHeads).Select(m => m.Step));
        Assert.Equal(drawStep - 1, metrics.Count(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn));
        Assert.All(metrics.Where(m => m.Key == EarlyBirdMetricKeys.KeptHeads(0)), m => Assert.Equal(0.5, m.Value));
        Assert.All(metrics.Where(m => m.Key == EarlyBirdMetricKeys.KeptFfn(0)), m => Assert.Equal(38.0 / 64, m.Value, 12));
        // The efficient phase: two thirds of 20 steps (13), numbered on from the draw.
        Assert.Equal(drawStep + 13, metrics.Where(m => m.Key == MetricKeys.TrainLoss).Max(m => m.Step));
        Assert.Equal(13, meta["earlybert.efficient.steps"]!.GetValue<long>());
        Assert.True(meta["earlybert.search_sequences_per_second"]!.GetValue<double>() > 0);
        Assert.True(meta["earlybert.parameters_after"]!.GetValue<long>() < meta["earlybert.parameters_before"]!.GetValue<long>());
        Assert.True(meta["earlybert.flops_per_step_after"]!.GetValue<double>() < meta["earlybert.flops_per_step_before"]!.GetValue<double>());
        Assert.Equal(2e-3, meta["earlybert.efficient.optimizer"]!["learning_rate"]!["config"]!["initial_learning_rate"]!.GetValue<double>(), 12);

        // The saved model is the ticket: one of two heads and 38 of the 64 neurons (26 = round(0.4 × 64) pruned) kept.
        using var saved = HfCheckpoint.LoadForSequenceClassification(Path.Combine(run, "work", "model"), NullLogger.Instance);
        Assert.Single(saved.Config.PrunedHeads[0]);
        Assert.Equal([38], saved.Config.IntermediateSizes);
        // Epochs go on through the draw: the efficient phase's first point lies one step past the search's last.
        var losses = metrics.Where(m => m.Key == MetricKeys.TrainLoss).OrderBy(m => m.Step).ToList();
        Assert.All(losses, m => Assert.Equal(m.Step / 5.0, m.Epoch, 12));

        // The dense export: full shapes, no pruned_heads, an HF folder of its own.
        var dense = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "artifacts", "model-dense", "config.json")))!.AsObject();
        Assert.False(dense.ContainsKey("pruned_heads") && dense["pruned_heads"]!.AsObject().Count > 0);
        Assert.False(dense.ContainsKey("earlybert_intermediate_sizes"));
        Assert.True(File.Exists(Path.Combine(run, "artifacts", "model-dense", "model.safetensors")));

        // The card says what the model is.
        var card = File.ReadAllText(Path.Combine(run, "artifacts", "README.md"));
        Assert.Contains("- earlybert-ticket", card, StringComparison.Ordinal);
        Assert.Contains($"It is an EarlyBERT ticket", card, StringComparison.Ordinal);
        Assert.Contains($"drawn at step {drawStep} ", card, StringComparison.Ordinal);
        Assert.Contains("0.333 of each layer's heads (1 of 2 kept)", card, StringComparison.Ordinal);
        Assert.Contains("0.4 of the feed-forward neurons across layers (38 of 64 kept)", card, StringComparison.Ordinal);
        Assert.Contains($"{meta["earlybert.parameters_after"]!.GetValue<long>():N0} parameters instead of {meta["earlybert.parameters_before"]!.GetValue<long>():N0}", card, StringComparison.Ordinal);
        Assert.Contains("for 13 steps with the optimizer's learning rates times\n2:", card, StringComparison.Ordinal);
        Assert.NotEmpty(EarlyBert.Recipes.ModelCards.ModelCardReader.Parse(card).Results);
        output.WriteLine($"draw at step {drawStep} ({reason}); heads distances {string.Join(", ", metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceHeads).Select(m => m.Value))}; ffn distances {string.Join(", ", metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn).Select(m => m.Value.ToString("F3")))}");
    }

    [Fact]
    public async Task Earlybert_run_interrupted_in_the_search_or_after_the_draw_resumes_to_the_same_losses_ticket_and_model()
    {
        var config = SmallConfig();
        var whole = Path.Combine(folder, "whole");
        Assert.Equal(TrainingEnd.Finished, (await RunAsync(config, whole, stopAfterStep: null, resumeFrom: null)).End);
        var wholeLosses = Losses(whole);
        var drawStep = Metadata(whole)["earlybert.draw_step"]!.GetValue<long>();
        var lastStep = wholeLosses.Keys.Max();
        Assert.Equal(drawStep + 13, lastStep);

        foreach (var stopAt in new[] { 3L, drawStep + 4 })
        {
            var interrupted = Path.Combine(folder, $"stopped-{stopAt}");
            Assert.Equal(TrainingEnd.Cancelled, (await RunAsync(config, interrupted, stopAfterStep: stopAt, resumeFrom: null)).End);
            var checkpoint = Path.Combine(interrupted, "work", "checkpoint");
            var state = TrainingCheckpoint.ReadState(checkpoint);
            Assert.Equal(stopAt, state.Step);
            var weights = SafetensorsFile.ReadHeader(Path.Combine(checkpoint, "model", HfCheckpoint.WeightsFile)).Keys;
            var savedConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "model", "config.json")))!.AsObject();
            if (stopAt < drawStep)
            {
                // During the search: the coefficients travel with the weights, the rule's window with the state.
                Assert.Equal(EarlyBertProgress.SearchPhase, state.EarlyBert!.Phase);
                Assert.Contains("bert.encoder.layer.0.attention.self.slimming", weights);
                Assert.Contains("bert.encoder.layer.0.intermediate.slimming", weights);
                Assert.Equal(3, state.EarlyBert.Observations.Count);
                Assert.Equal(3, state.EarlyBert.RecentMasks.Count);
                Assert.Null(state.EarlyBert.Draw);
            }
            else
            {
                // After the draw: the pruned network with its shape, and the phase.
                Assert.Equal(EarlyBertProgress.EfficientPhase, state.EarlyBert!.Phase);
                Assert.Equal(drawStep, state.EarlyBert.Draw!.Step);
                Assert.DoesNotContain(weights, w => w.EndsWith("slimming", StringComparison.Ordinal));
                Assert.Single(savedConfig["pruned_heads"]!["0"]!.AsArray());
                Assert.Equal(38, savedConfig["earlybert_intermediate_sizes"]![0]!.GetValue<int>());
            }

            var resumed = Path.Combine(folder, $"resumed-{stopAt}");
            var outcome = await RunAsync(config, resumed, stopAfterStep: null, resumeFrom: checkpoint);
            Assert.Equal(TrainingEnd.Finished, outcome.End);
            var resumedLosses = Losses(resumed);
            Assert.Equal(Enumerable.Range((int)stopAt + 1, (int)(lastStep - stopAt)).Select(i => (long)i), resumedLosses.Keys.Order());
            foreach (var (step, loss) in resumedLosses)
                Assert.True(BitConverter.DoubleToInt64Bits(wholeLosses[step]) == BitConverter.DoubleToInt64Bits(loss), $"resumed from {stopAt}, step {step}: {wholeLosses[step]:R} vs {loss:R}");
            var meta = Metadata(resumed);
            Assert.Equal(drawStep, meta["earlybert.draw_step"]!.GetValue<long>());
            Assert.Equal(Metadata(whole)["earlybert.draw_reason"]!.GetValue<string>(), meta["earlybert.draw_reason"]!.GetValue<string>());
            Assert.Equal(drawStep - 1, OfflineRunFolder.ReadMetrics(whole).Count(m => m.Key == EarlyBirdMetricKeys.MaskDistanceHeads));
            Assert.Equal(
                OfflineRunFolder.ReadMetrics(whole).Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn && m.Step > stopAt).Select(m => (m.Step, m.Value)),
                OfflineRunFolder.ReadMetrics(resumed).Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn).Select(m => (m.Step, m.Value)));
            Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "artifacts", "model", HfCheckpoint.WeightsFile)),
                File.ReadAllBytes(Path.Combine(resumed, "artifacts", "model", HfCheckpoint.WeightsFile)));
            Assert.Equal(File.ReadAllText(Path.Combine(whole, "artifacts", "model", "config.json")), File.ReadAllText(Path.Combine(resumed, "artifacts", "model", "config.json")));
        }
        output.WriteLine($"draw at step {drawStep}, last step {lastStep}; resumed from step 3 and from step {drawStep + 4} bit for bit");
    }

    [Fact]
    public async Task Checkpoint_of_one_mode_is_refused_by_the_other()
    {
        var config = SmallConfig();
        var stopped = Path.Combine(folder, "stopped");
        await RunAsync(config, stopped, stopAfterStep: 2, resumeFrom: null);
        var dense = config with { Training = config.Training with { Mode = "dense" } };
        var error = await Assert.ThrowsAsync<RunConfigException>(() => RunAsync(dense, Path.Combine(folder, "dense"), null, Path.Combine(stopped, "work", "checkpoint")));
        Assert.Equal("training.mode", error.Key);
        Assert.Contains("earlybert run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Slimming_coefficients_get_no_weight_decay_whatever_the_patterns()
    {
        using var model = EarlyBirdModel.Load();
        Slimming.Enable(model);
        // The job's optimizer as the card config builds it, and one whose include pattern matches every name.
        var card = Presets.CardOptimizer();
        card["learning_rate"]!["config"]!["decay_steps"] = 100;
        using var fromCard = KerasOptimizerConfig.Parse(card.ToJsonString()).Create(model.named_parameters().Select(p => (p.name, p.parameter)));
        Assert.DoesNotContain(((AdamOptimizerBase)fromCard).DecayedParameters, n => n.EndsWith("slimming", StringComparison.Ordinal));
        using var adam = new AdamWeightDecay(model.named_parameters().Select(p => (p.name, p.parameter)), new ConstantLearningRate(0.1),
            weightDecayRate: 0.5, excludeFromWeightDecay: WeightDecayFilter.DefaultExclusions, includeInWeightDecay: [".*"]);
        var coefficients = model.named_parameters().Select(p => p.name).Where(n => n.EndsWith(".slimming", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, coefficients.Count);
        Assert.All(coefficients, name => Assert.Contains(name, adam.UndecayedParameters));
        Assert.Contains("bert.encoder.layer.0.attention.output.LayerNorm.weight", adam.DecayedParameters);

        // A step on zero gradients moves only what decays: the coefficients stay exactly 1, the weights shrink.
        var before = model.named_parameters().Single(p => p.name == "bert.encoder.layer.0.attention.self.query.weight").parameter.detach().clone();
        adam.ZeroGrad();
        adam.Step();
        var (heads, neurons) = Slimming.Read(model);
        Assert.All(heads.Concat(neurons).SelectMany(l => l), c => Assert.Equal(1f, c));
        var after = model.named_parameters().Single(p => p.name == "bert.encoder.layer.0.attention.self.query.weight").parameter;
        Assert.True(after.abs().sum().item<float>() < before.abs().sum().item<float>());
    }

    [Fact]
    public void Earlybert_settings_are_checked_and_named_by_their_keys()
    {
        var error = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(new RunConfig(), ["training.mode=sparse"]));
        Assert.Equal("training.mode", error.Key);
        error = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(new RunConfig(), ["earlybert.prune.heads=1"]));
        Assert.Equal("earlybert.prune.heads", error.Key);
        error = Assert.Throws<RunConfigException>(() => RunConfigJson.Apply(new RunConfig(), ["earlybert.rewind=halfway"]));
        Assert.Equal("earlybert.rewind", error.Key);
        var config = RunConfigJson.Apply(new RunConfig(), ["training.mode=earlybert", "earlybert.search.window=3"]);
        Assert.Equal(3, config.EarlyBert.Search.Window);
        Assert.Contains("\"earlybert\"", RunConfigJson.ToJson(config), StringComparison.Ordinal);
    }

    private static async Task<TrainingOutcome> RunAsync(RunConfig config, string run, long? stopAfterStep, string? resumeFrom)
    {
        using var recorder = new StoppingRecorder(run, stopAfterStep);
        return await new TrainingJob(config, recorder, new TrainingJobOptions { WorkDirectory = Path.Combine(run, "work"), ResumeFrom = resumeFrom }, NullLogger.Instance)
            .RunAsync(CancellationToken.None);
    }

    private static Dictionary<long, double> Losses(string run) =>
        OfflineRunFolder.ReadMetrics(run).Where(p => p.Key == MetricKeys.TrainLoss).ToDictionary(p => p.Step, p => p.Value);

    private static JsonObject Metadata(string run) => JsonNode.Parse(File.ReadAllText(Path.Combine(run, "metadata.json")))!.AsObject();

    /// <summary>An offline folder whose stop flag rises once the training loss of a given step was logged.</summary>
    private sealed class StoppingRecorder(string directory, long? stopAfterStep) : IRunRecorder, IDisposable
    {
        private readonly OfflineRunFolder inner = new(directory);

        public bool StopRequested { get; private set; }
        public void LogParams(IReadOnlyDictionary<string, string> values) => inner.LogParams(values);
        public void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values) => inner.LogMetadata(values);
        public void LogArtifact(string path, string file, string contentType) => inner.LogArtifact(path, file, contentType);
        public void Dispose() => inner.Dispose();

        public void LogMetrics(IReadOnlyList<MetricSample> samples)
        {
            if (samples.Any(s => s.Key == MetricKeys.TrainLoss && s.Step >= stopAfterStep)) StopRequested = true;
            inner.LogMetrics(samples);
        }
    }

    private RunConfig SmallConfig()
    {
        var data = SmallTextData.Write(folder);
        var optimizer = Presets.CardOptimizer();
        optimizer["learning_rate"]!["config"]!["initial_learning_rate"] = 1e-3;
        return new RunConfig
        {
            Name = "small-earlybert",
            Model = new ModelSection
            {
                Source = ModelSection.Random,
                Architecture = new ArchitectureSection { HiddenSize = 32, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 },
            },
            Tokenizer = new TokenizerSection { Vocab = Path.Combine(Golden.Directory, "vocab.txt"), MaxLength = 32 },
            Data = new DataConfig { Name = null, TrainFile = data, ValidationFraction = 0.2, SplitSeed = 3 },
            Training = new TrainingSection { Mode = "earlybert", Epochs = 4, BatchSize = 8, Threads = 1, LogEverySteps = 1, Device = "cpu", Seed = 5 },
            Optimizer = optimizer,
            EarlyBert = new EarlyBertSection { Search = new EarlyBertSearchSection { MaskEverySteps = 1, L1Heads = 1e-2, L1Ffn = 1e-2 } },
        };
    }
}
