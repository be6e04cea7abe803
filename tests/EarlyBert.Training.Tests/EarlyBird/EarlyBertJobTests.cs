using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Recording;
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
        var config = SmallConfig();
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
        Assert.True(meta["earlybert.parameters_after"]!.GetValue<long>() < meta["earlybert.parameters_before"]!.GetValue<long>());
        Assert.True(meta["earlybert.flops_per_step_after"]!.GetValue<double>() < meta["earlybert.flops_per_step_before"]!.GetValue<double>());
        Assert.Equal(2e-3, meta["earlybert.efficient.optimizer"]!["learning_rate"]!["config"]!["initial_learning_rate"]!.GetValue<double>(), 12);

        // The saved model is the ticket: one of two heads and 38 of the 64 neurons (26 = round(0.4 × 64) pruned) kept.
        using var saved = HfCheckpoint.LoadForSequenceClassification(Path.Combine(run, "work", "model"), NullLogger.Instance);
        Assert.Single(saved.Config.PrunedHeads[0]);
        Assert.Equal([38], saved.Config.IntermediateSizes);
        output.WriteLine($"draw at step {drawStep} ({reason}); heads distances {string.Join(", ", metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceHeads).Select(m => m.Value))}; ffn distances {string.Join(", ", metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn).Select(m => m.Value.ToString("F3")))}");
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

    private RunConfig SmallConfig()
    {
        var data = Path.Combine(folder, "small.csv");
        var lines = new List<string> { "text,label" };
        string[] good = ["the meeting moves to monday", "please review the attached report", "lunch at noon with the team", "notes from the call are below"];
        string[] bad = ["win a free prize now", "cheap pills click here", "you are a winner claim money", "limited offer buy now"];
        for (var i = 0; i < 25; i++)
        {
            lines.Add($"\"{good[i % 4]} {i}\",ham");
            lines.Add($"\"{bad[i % 4]} {i}\",spam");
        }
        File.WriteAllLines(data, lines);
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
