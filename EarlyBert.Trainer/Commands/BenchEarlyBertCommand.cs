using System.CommandLine;
using EarlyBert.Recipes;
using EarlyBert.Trainer.Benchmarks;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>bench-earlybert [--preset NAME | --config FILE] [--set key=value …] [--runs DIR]</c>: trains the config dense and
/// in earlybert mode (same seed, this machine, one after the other) with progress on standard error, and prints the
/// figures on standard output: wall time of each (the search included), validation accuracy and macro F1,
/// parameters and sequences/s before and after pruning, the mask-distance curve, and whether the goal (≥30% less
/// wall time at ≤1 accuracy point lost) is met.
/// </summary>
internal static class BenchEarlyBertCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = $"A preset: {string.Join(", ", Presets.Names)} (default seed-recipe)." };
        var config = new Option<string?>("--config") { Description = "Run config (JSON) instead of a preset." };
        var set = new Option<string[]>("--set") { Description = "Override a config key in both runs, e.g. training.epochs=1 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var runs = new Option<string?>("--runs") { Description = "Keep the two runs as offline folders here (dense/, earlybert/); default: a temporary folder, deleted." };
        var command = new Command("bench-earlybert", "EarlyBERT vs dense training of one config: wall time, accuracy, macro F1, parameters and sequences/s.")
        {
            preset, config, set, runs,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(preset) is not null && result.GetValue(config) is not null) result.AddError("Give --preset or --config, not both.");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("bench-earlybert");
            RunConfig runConfig;
            try
            {
                var file = parse.GetValue(config);
                runConfig = TrainCommand.Load(file, file is null ? parse.GetValue(preset) ?? "seed-recipe" : null, parse.GetValue(set) ?? []);
            }
            catch (Exception exception) when (exception is RunConfigException or FileNotFoundException or FormatException)
            {
                logger.LogError("{Message}", exception.Message);
                return 1;
            }
            var keep = parse.GetValue(runs);
            var folder = keep ?? Directory.CreateTempSubdirectory("earlybert-bench-earlybert-").FullName;
            try
            {
                (BenchmarkRun Dense, BenchmarkRun EarlyBert) result;
                using (var progress = new ProgressDisplay())
                {
                    var current = "";
                    result = await Task.Run(() => EarlyBertBenchmark.RunAsync(runConfig, folder, (mode, report) =>
                    {
                        if (mode != current)
                        {
                            current = mode;
                            logger.LogInformation("bench-earlybert: the {Mode} run", mode);
                        }
                        progress.Report(report);
                    }, logger, cancellationToken), cancellationToken);
                }
                var overrides = parse.GetValue(set) ?? [];
                var name = parse.GetValue(config) ?? parse.GetValue(preset) ?? "seed-recipe";
                var machine = result.Dense.Metadata;
                await Console.Out.WriteLineAsync($"{name}{(overrides.Length == 0 ? "" : " with " + string.Join(" ", overrides))}; seed {runConfig.Training.Seed}; " +
                    $"{machine["device"]} ({machine["device_name"]}), {runConfig.Training.Threads ?? Environment.ProcessorCount} threads");
                await Console.Out.WriteAsync(EarlyBertBenchmark.Report(result.Dense, result.EarlyBert));
                return 0;
            }
            finally
            {
                if (keep is null) Directory.Delete(folder, recursive: true);
            }
        });
        return command;
    }
}
