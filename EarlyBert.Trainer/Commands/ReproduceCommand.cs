using System.CommandLine;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Reproduction;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>reproduce RUN_ID [--tracker URL] [--set key=value …] [--no-wait]</c> queues a reproduction for the platform's
/// workers and waits for its verdict; <c>reproduce --from DIR</c> and <c>reproduce --bundle FILE</c> retrain here,
/// without a tracker. Every form that waits prints a JSON summary and then the verdict as the last line of standard
/// output, and exits 0 when the run reproduced (identical or within tolerance), 1 when it did not.
/// </summary>
internal static class ReproduceCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var runId = new Argument<string?>("run-id") { Description = "The tracker run to reproduce.", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string?>("--from") { Description = "Reproduce an offline run folder (train --offline DIR) here, without a tracker." };
        var bundle = new Option<string?>("--bundle") { Description = "Reproduce a run bundle (export RUN_ID --out FILE) here, without a tracker." };
        var output = new Option<string?>("--out") { Description = "Folder of the reproduction (--from, --bundle); default: beside the source, suffixed -reproduction-TIME." };
        var set = new Option<string[]>("--set") { Description = "Override a config key, e.g. training.threads=1 (repeatable); recorded as a difference.", AllowMultipleArgumentsPerToken = false };
        var trackerUrl = new Option<string?>("--tracker") { Description = "Tracker base address (default http://localhost:5180)." };
        var noWait = new Option<bool>("--no-wait") { Description = "Queue the reproduction and print its run id without waiting for the verdict." };
        var apiKey = TrackerAccess.ApiKeyOption();
        var command = new Command("reproduce", "Reproduces a run from its stored config and says whether it reproduced.")
        {
            runId, from, bundle, output, set, trackerUrl, apiKey, noWait,
        };
        command.Validators.Add(result =>
        {
            var sources = new[] { result.GetValue(runId) is not null, result.GetValue(from) is not null, result.GetValue(bundle) is not null }.Count(s => s);
            if (sources != 1) result.AddError("Give exactly one of RUN_ID, --from DIR or --bundle FILE.");
            var tracked = result.GetValue(runId) is not null;
            if (!tracked && (result.GetValue(trackerUrl) is not null || result.GetValue(apiKey) is not null || result.GetValue(noWait)))
                result.AddError("--tracker, --api-key and --no-wait go with RUN_ID; --from and --bundle need no tracker.");
            if (tracked && result.GetValue(output) is not null) result.AddError("--out goes with --from or --bundle.");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("reproduce");
            var overrides = parse.GetValue(set) ?? [];
            try
            {
                if (parse.GetValue(from) is { } directory)
                    return await OfflineReproduction.RunAsync(directory, parse.GetValue(output) ?? Beside(directory), overrides, logger, cancellationToken);
                if (parse.GetValue(bundle) is { } file)
                    return await FromBundleAsync(file, parse.GetValue(output), overrides, logger, cancellationToken);
                if (!Guid.TryParse(parse.GetValue(runId), out var id)) throw new FormatException($"'{parse.GetValue(runId)}' is not a run id.");
                var tracker = TrackerAccess.CreateClient(parse.GetValue(trackerUrl), parse.GetValue(apiKey), out var http);
                using var _ = http;
                return await TrackedAsync(tracker, id, overrides, !parse.GetValue(noWait), logger, cancellationToken);
            }
            catch (Exception exception) when (exception is RunConfigException or FileNotFoundException or FormatException or TrackerApiException or InvalidDataException
                or EarlyBert.Training.Data.DataException)
            {
                logger.LogError("{Message}", TrackerAccess.Describe(exception));
                return 1;
            }
        });
        return command;
    }

    private static string Beside(string source) =>
        $"{Path.TrimEndingDirectorySeparator(Path.GetFullPath(source))}-reproduction-{DateTime.UtcNow:yyyyMMdd-HHmmss}";

    private static async Task<int> FromBundleAsync(string file, string? output, string[] overrides, ILogger logger, CancellationToken cancellationToken)
    {
        var bundleFolder = Path.Combine(output ?? Beside(Path.ChangeExtension(file, null)), "bundle");
        var (dataOverrides, dataCache) = RunBundle.Extract(file, bundleFolder);
        if (dataCache is not null)
        {
            // The packed built-in data set replaces this installation's cache for this process only.
            Environment.SetEnvironmentVariable("EARLYBERT_DATA_CACHE", dataCache);
            logger.LogInformation("Using the bundle's data set cache {Folder}", dataCache);
        }
        var target = Path.Combine(Path.GetDirectoryName(bundleFolder)!, "reproduction");
        return await OfflineReproduction.RunAsync(bundleFolder, target, [.. dataOverrides, .. overrides], logger, cancellationToken);
    }

    private static async Task<int> TrackedAsync(TrackerClient tracker, Guid parentId, string[] overrides, bool wait, ILogger logger, CancellationToken cancellationToken)
    {
        var asked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in overrides)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) throw new RunConfigException($"'{assignment}' is not key=value (e.g. training.threads=1).");
            asked[assignment[..equals].Trim()] = assignment[(equals + 1)..];
        }
        var child = await tracker.ReproduceRunAsync(parentId, asked, cancellationToken);
        logger.LogInformation("Queued run {RunId} reproducing run {ParentRunId}", child.Id, parentId);
        if (!wait)
        {
            await Console.Out.WriteLineAsync(new JsonObject { ["run_id"] = child.Id.ToString(), ["status"] = child.Status }.ToJsonString());
            return 0;
        }

        var status = child.Status;
        while (!RunStatuses.IsTerminal(status))
        {
            await Task.Delay(PollInterval, cancellationToken);
            var now = (await tracker.GetRunAsync(child.Id, cancellationToken)).Status;
            if (now != status) logger.LogInformation("Run {RunId}: {Status}", child.Id, now);
            status = now;
        }

        var report = await tracker.GetReproductionAsync(child.Id, cancellationToken);
        var reproduction = report.Reproduction;
        if (reproduction.EnvironmentNote is { } note) logger.LogInformation("{Note}", note);
        await Console.Out.WriteLineAsync(new JsonObject
        {
            ["run_id"] = child.Id.ToString(),
            ["parent_run_id"] = parentId.ToString(),
            ["status"] = report.Status,
            ["verdict"] = reproduction.Verdict,
            ["description"] = reproduction.Description,
            ["max_relative_difference"] = reproduction.MaxRelativeDifference is { } max && double.IsFinite(max) ? max : null,
            ["precondition"] = reproduction.Precondition,
            ["environment_note"] = reproduction.EnvironmentNote,
        }.ToJsonString());
        await Console.Out.WriteLineAsync(reproduction.Description ?? reproduction.Verdict ?? ReproductionVerdicts.NotReproduced);
        return reproduction.Verdict is ReproductionVerdicts.Identical or ReproductionVerdicts.WithinTolerance ? 0 : 1;
    }
}
