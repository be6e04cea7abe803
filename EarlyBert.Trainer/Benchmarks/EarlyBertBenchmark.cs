using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Benchmarks;

/// <summary>One of the two runs of <see cref="EarlyBertBenchmark"/>.</summary>
/// <param name="Mode"><c>dense</c> or <c>earlybert</c>.</param>
/// <param name="WallSeconds">Whole job: loading, tokenizing, training (the search included), evaluation, saving.</param>
/// <param name="Steps">Optimizer updates.</param>
/// <param name="Accuracy">Validation accuracy at the end.</param>
/// <param name="F1Macro">Validation macro F1 at the end.</param>
/// <param name="Metadata">The run's metadata (parameters, phase times, the draw).</param>
/// <param name="Metrics">The run's metric points.</param>
/// <param name="SequencesPerSecond">Training throughput of the run (the efficient phase's, in earlybert mode).</param>
/// <param name="CpuSeconds">
/// Processor time the process spent on the run. Unlike wall time it hardly moves when other work shares the machine,
/// so with <c>training.threads=1</c> it is the fair comparison on a busy machine.
/// </param>
public sealed record BenchmarkRun(string Mode, double WallSeconds, long Steps, double Accuracy, double F1Macro, JsonObject Metadata,
    IReadOnlyList<MetricSample> Metrics, double SequencesPerSecond, double CpuSeconds);

/// <summary>
/// Issue 13's benchmark: one config trained dense and in earlybert mode, same seed, same machine, one after the other;
/// wall time, validation accuracy and macro F1 of each, parameters and sequences/s before and after pruning.
/// </summary>
public static class EarlyBertBenchmark
{
    /// <summary>The goal: at least this much less total wall time…</summary>
    public const double WallTimeGoal = 0.30;
    /// <summary>…at no more than this many accuracy points lost.</summary>
    public const double AccuracyGoalPoints = 1.0;

    /// <summary>
    /// Trains <paramref name="config"/> in both modes, each recorded into an offline folder under
    /// <paramref name="folder"/> (<c>dense/</c>, <c>earlybert/</c>).
    /// </summary>
    public static async Task<(BenchmarkRun Dense, BenchmarkRun EarlyBert)> RunAsync(RunConfig config, string folder,
        Action<string, TrainingProgress> onProgress, ILogger logger, CancellationToken cancellationToken)
    {
        var dense = await RunOneAsync(config with { Training = config.Training with { Mode = "dense" } }, Path.Combine(folder, "dense"), onProgress, logger, cancellationToken);
        var earlyBert = await RunOneAsync(config with { Training = config.Training with { Mode = "earlybert" } }, Path.Combine(folder, "earlybert"), onProgress, logger, cancellationToken);
        return (dense, earlyBert);
    }

    private static async Task<BenchmarkRun> RunOneAsync(RunConfig config, string folder, Action<string, TrainingProgress> onProgress, ILogger logger,
        CancellationToken cancellationToken)
    {
        var mode = config.Training.Mode;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        TrainingOutcome outcome;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using (var recorder = new OfflineRunFolder(folder))
        {
            var options = new TrainingJobOptions
            {
                WorkDirectory = Path.Combine(folder, "work"),
                OnResolved = (resolved, _) =>
                {
                    recorder.WriteConfig(resolved);
                    return Task.CompletedTask;
                },
                OnProgress = progress => onProgress(mode, progress),
            };
            outcome = await new TrainingJob(config, recorder, options, logger).RunAsync(cancellationToken);
        }
        clock.Stop();
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        if (outcome.End != TrainingEnd.Finished) throw new OperationCanceledException($"The {mode} run stopped at step {outcome.Steps}.");
        var evaluation = outcome.LastEvaluation ?? throw new InvalidOperationException("The benchmark needs validation data: data.validation_fraction is 0.");
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "metadata.json"), cancellationToken))!.AsObject();
        return new BenchmarkRun(mode, clock.Elapsed.TotalSeconds, outcome.Steps, evaluation.Accuracy, evaluation.F1Macro, metadata,
            OfflineRunFolder.ReadMetrics(folder).ToList(), outcome.SequencesPerSecond, cpuSeconds);
    }

    /// <summary>The figures as text: a table, the pruning's effect, the mask-distance curve, and the verdict on the goal.</summary>
    public static string Report(BenchmarkRun dense, BenchmarkRun earlyBert)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var meta = earlyBert.Metadata;
        double Number(string key) => meta[key]?.GetValue<double>() ?? double.NaN;
        var drawStep = meta["earlybert.draw_step"]!.GetValue<long>();
        var searchSeconds = Number("earlybert.search_seconds");
        var efficientSeconds = Number("earlybert.efficient_seconds");
        var searchRate = Number("earlybert.search_sequences_per_second");

        text.AppendLine(c, $"{"mode",-10} {"wall s",8} {"cpu s",8} {"search s",9} {"train s",8} {"steps",6} {"accuracy",9} {"macro F1",9} {"parameters",11} {"seq/s",8}");
        text.AppendLine(c, $"{"dense",-10} {dense.WallSeconds,8:F1} {dense.CpuSeconds,8:F1} {"-",9} {"-",8} {dense.Steps,6} {dense.Accuracy,9:F4} {dense.F1Macro,9:F4} {dense.Metadata["model.parameters"]!.GetValue<long>(),11:N0} {dense.SequencesPerSecond,8:F2}");
        text.AppendLine(c, $"{"earlybert",-10} {earlyBert.WallSeconds,8:F1} {earlyBert.CpuSeconds,8:F1} {searchSeconds,9:F1} {efficientSeconds,8:F1} {earlyBert.Steps,6} {earlyBert.Accuracy,9:F4} {earlyBert.F1Macro,9:F4} {meta["earlybert.parameters_after"]!.GetValue<long>(),11:N0} {earlyBert.SequencesPerSecond,8:F2}");
        text.AppendLine();

        var before = meta["earlybert.parameters_before"]!.GetValue<long>();
        var after = meta["earlybert.parameters_after"]!.GetValue<long>();
        text.AppendLine(c, $"pruning: parameters {before:N0} -> {after:N0} ({Change(before, after)}), FLOPs per step {Number("earlybert.flops_per_step_before"):E3} -> {Number("earlybert.flops_per_step_after"):E3} ({Change(Number("earlybert.flops_per_step_before"), Number("earlybert.flops_per_step_after"))})");
        text.AppendLine(c, $"sequences/s: dense {dense.SequencesPerSecond:F2}, search (with coefficients) {searchRate:F2}, pruned {earlyBert.SequencesPerSecond:F2} ({Change(dense.SequencesPerSecond, earlyBert.SequencesPerSecond)} vs dense)");
        text.AppendLine(c, $"ticket: drawn at step {drawStep} ({meta["earlybert.draw_reason"]}) after {meta["earlybert.masks"]} masks, a mask every {meta["earlybert.mask_every_steps"]} steps (cap step {meta["earlybert.cap_step"]}); then {meta["earlybert.efficient.steps"]} steps of the pruned network");
        text.AppendLine("mask distance (step: heads ffn): " + string.Join(", ", Curve(earlyBert.Metrics)));
        text.AppendLine();

        var wallChange = 1 - earlyBert.WallSeconds / dense.WallSeconds;
        var accuracyLoss = (dense.Accuracy - earlyBert.Accuracy) * 100;
        var met = wallChange >= WallTimeGoal && accuracyLoss <= AccuracyGoalPoints;
        text.AppendLine(c, $"earlybert vs dense: wall time {Change(dense.WallSeconds, earlyBert.WallSeconds)} (goal -{WallTimeGoal * 100:F0}% or less), accuracy {-accuracyLoss:+0.00;-0.00;0.00} points (goal -{AccuracyGoalPoints:F0} or more), macro F1 {earlyBert.F1Macro - dense.F1Macro:+0.0000;-0.0000;0.0000}: goal {(met ? "met" : "not met")}");
        text.AppendLine(c, $"processor time: {Change(dense.CpuSeconds, earlyBert.CpuSeconds)} (the same comparison, insensitive to other load on the machine)");
        return text.ToString();
    }

    private static IEnumerable<string> Curve(IReadOnlyList<MetricSample> metrics)
    {
        var heads = metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceHeads).ToDictionary(m => m.Step, m => m.Value);
        return metrics.Where(m => m.Key == EarlyBirdMetricKeys.MaskDistanceFfn).OrderBy(m => m.Step)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Step}: {(heads.TryGetValue(m.Step, out var h) ? h : double.NaN):F3} {m.Value:F3}"));
    }

    private static string Change(double before, double after) =>
        string.Create(CultureInfo.InvariantCulture, $"{(after / before - 1) * 100:+0.0;-0.0}%");
}
