using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Runs;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace EarlyBert.Trainer.Benchmarks;

/// <summary>
/// The cost of tracking: the <c>train</c> job, logging every step live to a tracker through the spool, against
/// <c>bench</c>'s bare step loop on the same shape, batch and sequence length, in the same process.
/// </summary>
internal static class TrackingOverhead
{
    /// <summary>Mean step seconds of the bare loop (after its warm-up) and of the tracked job (after three steps).</summary>
    public static async Task<(double BareSeconds, double TrackedSeconds)> MeasureAsync(
        BenchmarkShape shape, int batch, int sequence, int steps, int threads, int logEvery, TrackerClient tracker, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        var logger = logging.CreateLogger("bench-tracking");
        var bare = TrainingBenchmark.Run(shape, batch, sequence, steps, warmup: 3, CPU, Training.Precision.PrecisionMode.Float32, logger, cancellationToken);

        var folder = Directory.CreateTempSubdirectory("earlybert-bench-tracking-").FullName;
        try
        {
            var data = Path.Combine(folder, "data.jsonl");
            var random = new Random(1);
            await File.WriteAllLinesAsync(data, Enumerable.Range(0, (steps + 3) * batch).Select(_ => new JsonObject
            {
                ["input_ids"] = new JsonArray(Enumerable.Range(0, sequence).Select(_ => (JsonNode?)random.Next(5, 30522)).ToArray()),
                ["label"] = random.Next(2) == 0 ? "ham" : "spam",
            }.ToJsonString()), cancellationToken);
            var config = new RunConfig
            {
                Experiment = "benchmarks",
                Name = $"tracking-overhead-{shape.Name}",
                Model = new ModelSection
                {
                    Source = ModelSection.Random,
                    Architecture = new ArchitectureSection
                    {
                        HiddenSize = shape.Hidden, NumHiddenLayers = shape.Layers, NumAttentionHeads = shape.Heads, IntermediateSize = shape.Intermediate, VocabSize = 30522,
                    },
                },
                Tokenizer = new TokenizerSection { MaxLength = sequence },
                Data = new DataConfig { Name = null, TrainFile = data, ValidationFraction = 0, Shuffle = false },
                Training = new TrainingSection { Epochs = 1, BatchSize = batch, Threads = threads, LogEverySteps = logEvery, Device = "cpu", CheckpointEverySteps = 1_000_000 },
            };
            await tracker.EnsureExperimentAsync(config.Experiment, "Benchmark runs.", cancellationToken);
            var run = await tracker.CreateRunAsync(new CreateRun(config.Experiment, config.Name, RunStatuses.Running,
                JsonSerializer.SerializeToElement(RunConfigJson.ToNode(config)), WorkerId: "bench"), cancellationToken);
            var options = new SpoolOptions { Directory = Path.Combine(folder, "spool") };
            using var spool = new RunSpool(options, TimeProvider.System, logging.CreateLogger<RunSpool>());
            using var stop = new CancellationTokenSource();
            var draining = new SpoolDrainer(spool, new TrackerSink(tracker), options, TimeProvider.System, logging.CreateLogger<SpoolDrainer>()).RunAsync(stop.Token);
            var recorder = new TrackerRecorder(spool, run.Id);
            var outcome = await new TrainingJob(config, recorder, new TrainingJobOptions { WorkDirectory = Path.Combine(folder, "work") }, logger).RunAsync(cancellationToken);
            recorder.End(RunStatuses.Finished, null);
            await spool.WaitDrainedAsync(run.Id, cancellationToken);
            await stop.CancelAsync();
            try { await draining; } catch (OperationCanceledException) { }
            var points = (await tracker.GetLatestMetricsAsync(run.Id, cancellationToken)).Single(m => m.Key == MetricKeys.TrainLoss).PointCount;
            var expected = (outcome.Steps + logEvery - 1) / logEvery;
            if (points != expected)
                throw new InvalidOperationException($"The tracker holds {points} train/loss points; {expected} were logged.");
            return (bare.MeanStepSeconds, outcome.SteadyStepSeconds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
