using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Recipes.Reproduction;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Commands;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Reproduction;

/// <summary>
/// <c>reproduce --from DIR</c>: retrains an offline run (<c>train --offline DIR</c>) from its <c>config.json</c>
/// into a new folder, without a tracker, refusing a different data set, vocabulary or base model (by hash), and
/// judges the new run against the old with <see cref="ReproductionVerdict"/>. The verdict is written to the new
/// folder's <c>reproduction.json</c>.
/// </summary>
internal static class OfflineReproduction
{
    /// <summary>The verdict of a reproduction that ran, or why it is not one.</summary>
    /// <param name="Verdict">identical, within tolerance, diverged at step N, or not reproduced.</param>
    /// <param name="Description">The verdict with what decided it: what the CLI prints on its last line.</param>
    /// <param name="Details">The judged verdict, when the reproduction finished and passed its preconditions.</param>
    /// <param name="Precondition"><c>passed</c>, the refusal, or null when the data was never loaded.</param>
    /// <param name="Environment">Versions, device or kernels that differ.</param>
    public sealed record Result(string Verdict, string Description, ReproductionVerdict? Details, string? Precondition, IReadOnlyList<MetadataDifference> Environment)
    {
        /// <summary>Whether the run reproduced (identical or within tolerance).</summary>
        public bool Reproduced => Details is { Kind: VerdictKind.Identical or VerdictKind.WithinTolerance };
    }

    /// <summary>Reproduces <paramref name="parentDirectory"/> into <paramref name="childDirectory"/>; prints the summary and the verdict.</summary>
    public static async Task<int> RunAsync(string parentDirectory, string childDirectory, IReadOnlyList<string> overrides, ILogger logger, CancellationToken cancellationToken)
    {
        var parentRun = OfflineRunFolder.ReadRun(parentDirectory);
        if (parentRun.Status is not (RunStatuses.Finished or RunStatuses.Failed or RunStatuses.Cancelled))
            throw new FormatException($"The run in {parentDirectory} is {parentRun.Status}: only a finished, failed or cancelled run can be reproduced.");
        var configFile = Path.Combine(parentDirectory, "config.json");
        if (!File.Exists(configFile)) throw new FileNotFoundException($"{parentDirectory} has no stored config (config.json) to reproduce.", configFile);
        if (Directory.Exists(childDirectory) && Directory.EnumerateFileSystemEntries(childDirectory).Any())
            throw new FormatException($"{childDirectory} exists and is not empty; name another folder with --out.");
        var config = RunConfigJson.Apply(RunConfigJson.Parse(File.ReadAllText(configFile)), overrides);
        var parentMetadata = ReadMetadata(parentDirectory);

        var started = DateTimeOffset.UtcNow;
        string status;
        string? reason;
        TrainingOutcome? outcome;
        using (var folder = new OfflineRunFolder(childDirectory))
        {
            folder.WriteRun(new OfflineRun(config.Experiment, config.Name, RunStatuses.Running, null, started, null));
            var options = new TrainingJobOptions
            {
                WorkDirectory = Path.Combine(childDirectory, "work"),
                OnResolved = (resolved, _) =>
                {
                    folder.WriteConfig(resolved);
                    return Task.CompletedTask;
                },
            };
            Directory.CreateDirectory(options.WorkDirectory);
            logger.LogInformation("Reproducing {Parent} into {Child}", Path.GetFullPath(parentDirectory), Path.GetFullPath(childDirectory));
            (status, reason, outcome) = await TrainCommand.RunLoggedAsync(config, folder, new ReproductionGuard(folder, parentMetadata), options, logger, cancellationToken);
            folder.WriteRun(new OfflineRun(config.Experiment, config.Name, status, reason, started, DateTimeOffset.UtcNow));
        }

        var result = Judge(parentDirectory, parentRun.Status, childDirectory, status, reason, config.Reproduction.Tolerance);
        await File.WriteAllTextAsync(Path.Combine(childDirectory, "reproduction.json"),
            Record(result, Path.GetFullPath(parentDirectory), overrides).ToJsonString(OfflineRunFolder.Json), cancellationToken);
        if (ReproductionPreconditions.DescribeEnvironment(result.Environment) is { } note) logger.LogInformation("{Note}", note);
        var summary = Record(result, Path.GetFullPath(parentDirectory), overrides);
        summary["folder"] = Path.GetFullPath(childDirectory);
        summary["status"] = status;
        summary["status_reason"] = reason;
        summary["steps"] = outcome?.Steps;
        await Console.Out.WriteLineAsync(summary.ToJsonString());
        await Console.Out.WriteLineAsync(result.Description);
        return result.Reproduced ? 0 : 1;
    }

    /// <summary>The verdict of the finished (or refused, failed, cancelled) reproduction in <paramref name="childDirectory"/>.</summary>
    public static Result Judge(string parentDirectory, string parentStatus, string childDirectory, string childStatus, string? childReason, double tolerance)
    {
        var parentMetadata = ReadMetadata(parentDirectory);
        var childMetadata = ReadMetadata(childDirectory);
        var environment = ReproductionPreconditions.EnvironmentDifferences(parentMetadata, childMetadata);
        var hashesKnown = ReproductionPreconditions.HashKeys.Any(childMetadata.ContainsKey);
        var mismatches = hashesKnown ? ReproductionPreconditions.HashMismatches(parentMetadata, childMetadata) : [];
        var precondition = !hashesKnown ? null : mismatches.Count > 0 ? ReproductionPreconditions.DescribeMismatches(mismatches) : "passed";
        if (mismatches.Count > 0) return new Result(ReproductionVerdicts.NotReproduced, precondition!, null, precondition, environment);
        if (childStatus != RunStatuses.Finished)
            return new Result(ReproductionVerdicts.NotReproduced, $"not reproduced: the reproduction {childStatus}{(childReason is null ? "" : $" ({childReason})")}", null, precondition, environment);
        var verdict = ReproductionVerdict.Judge(Metrics(parentDirectory), Metrics(childDirectory), tolerance, parentStatus == RunStatuses.Finished);
        return new Result(verdict.Name, verdict.Describe(), verdict, precondition, environment);
    }

    private static IEnumerable<MetricValue> Metrics(string directory) =>
        File.Exists(Path.Combine(directory, "metrics.jsonl"))
            ? OfflineRunFolder.ReadMetrics(directory).Select(m => new MetricValue(m.Key, m.Step, m.Value))
            : [];

    private static Dictionary<string, string> ReadMetadata(string directory)
    {
        var file = Path.Combine(directory, "metadata.json");
        if (!File.Exists(file)) return new Dictionary<string, string>(StringComparer.Ordinal);
        var node = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        return ReproductionGuard.Strings(node.ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>The content of <c>reproduction.json</c> (snake_case, like the folder's other files).</summary>
    private static JsonObject Record(Result result, string parent, IReadOnlyList<string> overrides)
    {
        var divergence = result.Details?.FirstDivergence;
        return new JsonObject
        {
            ["parent"] = parent,
            ["overrides"] = new JsonArray(overrides.Select(o => (JsonNode?)o).ToArray()),
            ["verdict"] = result.Verdict,
            ["description"] = result.Description,
            ["tolerance"] = result.Details?.Tolerance,
            ["max_relative_difference"] = result.Details is { } d ? Finite(d.MaxRelativeDifference) : null,
            ["first_divergence"] = divergence is null ? null : new JsonObject
            {
                ["step"] = divergence.Step,
                ["metric"] = divergence.Metric,
                ["parent_value"] = divergence.ParentValue is { } p ? Finite(p) : null,
                ["child_value"] = divergence.ChildValue is { } c ? Finite(c) : null,
            },
            ["precondition"] = result.Precondition,
            ["environment_differences"] = new JsonArray(result.Environment
                .Select(e => (JsonNode?)new JsonObject { ["key"] = e.Key, ["parent"] = e.Parent, ["child"] = e.Child }).ToArray()),
        };
    }

    // JSON has no NaN or infinity: they are written as strings, as in metrics.jsonl.
    private static JsonNode Finite(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
