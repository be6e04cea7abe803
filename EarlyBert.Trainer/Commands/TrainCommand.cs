using System.CommandLine;
using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Runs;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>train (--config FILE | --preset NAME) [--set key=value …] [--dense-export] [--tracker URL | --offline DIR] [--resume RUN_ID|DIR]</c>:
/// trains in this process with a live progress display on standard error; prints the run id (or folder) and its
/// final metrics as one JSON line on standard output.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "Run config (JSON)." };
        var preset = new Option<string?>("--preset") { Description = $"A preset: {string.Join(", ", Presets.Names)}." };
        var set = new Option<string[]>("--set") { Description = "Override a config key, e.g. training.threads=1 (repeatable).", AllowMultipleArgumentsPerToken = false };
        var trackerUrl = new Option<string?>("--tracker") { Description = "Tracker base address (default http://localhost:5180)." };
        var apiKey = TrackerAccess.ApiKeyOption();
        var offline = new Option<string?>("--offline") { Description = "Record into this folder instead of a tracker (send it later with upload)." };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: its tracker id, or an offline folder." };
        var denseExport = new Option<bool>("--dense-export")
        {
            Description = "In earlybert mode, also save the pruned model zero-padded to the full shape (model-dense/), readable by any BERT loader; the same as --set earlybert.dense_export=true.",
        };
        var command = new Command("train", "Fine-tunes a BERT classifier and records the run.") { config, preset, set, denseExport, trackerUrl, apiKey, offline, resume };
        command.Validators.Add(result =>
        {
            var hasConfig = result.GetValue(config) is not null;
            var hasPreset = result.GetValue(preset) is not null;
            var resuming = result.GetValue(resume) is not null;
            if (!resuming && hasConfig == hasPreset) result.AddError("Give exactly one of --config FILE or --preset NAME.");
            if (result.GetValue(trackerUrl) is not null && result.GetValue(offline) is not null) result.AddError("Give --tracker or --offline, not both.");
            if (result.GetValue(apiKey) is not null && result.GetValue(offline) is not null) result.AddError("--api-key goes with a tracker, not --offline.");
            // A resumed run continues under the config it started with.
            if (resuming && result.GetValue(denseExport)) result.AddError("--dense-export belongs to a new run's config: a resumed run keeps the config it started with.");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("train");
            try
            {
                var resumeValue = parse.GetValue(resume);
                string[] overrides = [.. parse.GetValue(set) ?? [], .. parse.GetValue(denseExport) ? ["earlybert.dense_export=true"] : Array.Empty<string>()];
                var offlineValue = parse.GetValue(offline) ?? (resumeValue is not null && Directory.Exists(resumeValue) ? resumeValue : null);
                if (offlineValue is not null)
                {
                    var runConfig = resumeValue is not null && Directory.Exists(resumeValue)
                        ? RunConfigJson.Parse(File.ReadAllText(Path.Combine(resumeValue, "config.json")))
                        : Load(parse.GetValue(config), parse.GetValue(preset), overrides);
                    return await TrainOfflineAsync(runConfig, offlineValue, resumeValue is not null, logger, cancellationToken);
                }
                var tracker = TrackerAccess.CreateClient(parse.GetValue(trackerUrl), parse.GetValue(apiKey), out var http);
                using var _ = http;
                return await TrainTrackedAsync(tracker, parse.GetValue(config), parse.GetValue(preset), overrides, resumeValue, logging, cancellationToken);
            }
            catch (Exception exception) when (exception is RunConfigException or EarlyBert.Training.Data.DataException or FileNotFoundException or FormatException)
            {
                logger.LogError("{Message}", exception.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>A config from a file or a preset, with overrides applied.</summary>
    public static RunConfig Load(string? file, string? preset, IEnumerable<string> overrides)
    {
        var config = file is not null
            ? RunConfigJson.Parse(File.Exists(file) ? File.ReadAllText(file) : throw new FileNotFoundException($"Config file {file} does not exist.", file))
            : Presets.Get(preset!);
        return RunConfigJson.Apply(config, overrides);
    }

    private static async Task<int> TrainOfflineAsync(RunConfig config, string directory, bool resuming, ILogger logger, CancellationToken cancellationToken)
    {
        using var folder = new OfflineRunFolder(directory);
        var started = resuming ? OfflineRunFolder.ReadRun(directory).StartedAt : DateTimeOffset.UtcNow;
        folder.WriteRun(new OfflineRun(config.Experiment, config.Name, RunStatuses.Running, null, started, null));
        var checkpoint = Path.Combine(directory, "work", "checkpoint");
        var options = new TrainingJobOptions
        {
            WorkDirectory = Path.Combine(directory, "work"),
            ResumeFrom = resuming ? TrainingCheckpoint.Locate(checkpoint) : null,
            OnResolved = (resolved, _) =>
            {
                folder.WriteConfig(resolved);
                return Task.CompletedTask;
            },
        };
        using var cancel = ConsoleCancellation(cancellationToken, () => folder.StopRequested = true);
        Directory.CreateDirectory(options.WorkDirectory);
        var (status, reason, outcome) = await RunLoggedAsync(config, folder, folder, options, logger, cancel.Token);
        folder.WriteRun(new OfflineRun(config.Experiment, config.Name, status, reason, started, DateTimeOffset.UtcNow));
        await Console.Out.WriteLineAsync(Summary(null, Path.GetFullPath(directory), status, reason, outcome));
        return status == RunStatuses.Failed ? 1 : 0;
    }

    private static async Task<int> TrainTrackedAsync(TrackerClient tracker, string? file, string? preset, string[] overrides, string? resume,
        ILoggerFactory logging, CancellationToken cancellationToken)
    {
        var logger = logging.CreateLogger("train");
        var workerId = $"cli-{Environment.MachineName}-{Environment.ProcessId}";
        Run run;
        if (resume is not null)
        {
            if (!Guid.TryParse(resume, out var runId)) throw new FormatException($"--resume takes a run id or an offline folder; '{resume}' is neither.");
            var previous = await tracker.GetRunAsync(runId, cancellationToken);
            if (previous.Status is not (RunStatuses.Crashed or RunStatuses.Cancelled or RunStatuses.Failed or RunStatuses.Queued))
                throw new FormatException($"Run {runId} is {previous.Status}: only a crashed, cancelled, failed or queued run can be resumed.");
            // A resumed run continues under a new id that names the interrupted one as its parent.
            run = await tracker.CreateRunAsync(new CreateRun(previous.Experiment, previous.Name + "-resumed", RunStatuses.Running, previous.Config, ParentRunId: runId,
                Notes: $"Resumed from run {runId}.", WorkerId: workerId), cancellationToken);
            await CopyCheckpointAsync(tracker, runId, run.Id, cancellationToken);
        }
        else
        {
            var config = Load(file, preset, overrides);
            await tracker.EnsureExperimentAsync(config.Experiment, null, cancellationToken);
            // Created running on this machine, so no worker of the platform can claim it.
            run = await tracker.CreateRunAsync(new CreateRun(config.Experiment, config.Name, RunStatuses.Running,
                JsonSerializer.SerializeToElement(RunConfigJson.ToNode(config)), WorkerId: workerId), cancellationToken);
        }

        using var spool = new RunSpool(new SpoolOptions(), TimeProvider.System, logging.CreateLogger<RunSpool>());
        var drainer = new SpoolDrainer(spool, new TrackerSink(tracker), new SpoolOptions(), TimeProvider.System, logging.CreateLogger<SpoolDrainer>());
        using var drainStop = new CancellationTokenSource();
        var draining = drainer.RunAsync(drainStop.Token);
        var executor = new RunExecutor(tracker, spool, TimeProvider.System, logging.CreateLogger<RunExecutor>()) { DrainTimeout = TimeSpan.FromMinutes(2) };
        var workRoot = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "runs");
        string status;
        using (var progress = new ProgressDisplay())
            status = await executor.ExecuteAsync(run, workRoot, progress.Report, cancellationToken);
        await drainStop.CancelAsync();
        try { await draining; } catch (OperationCanceledException) { }
        var final = await TryGetAsync(tracker, run.Id, cancellationToken);
        await Console.Out.WriteLineAsync(new System.Text.Json.Nodes.JsonObject
        {
            ["run_id"] = run.Id.ToString(),
            ["status"] = final?.Status ?? status,
            ["status_reason"] = final?.StatusReason,
            ["metrics"] = final is null ? null : new System.Text.Json.Nodes.JsonObject(final.Metrics.Select(m => KeyValuePair.Create(m.Key, (System.Text.Json.Nodes.JsonNode?)m.Value))),
        }.ToJsonString());
        logger.LogInformation("Run {RunId}: {Status}", run.Id, final?.Status ?? status);
        return status == RunStatuses.Failed ? 1 : 0;
    }

    private static async Task CopyCheckpointAsync(TrackerClient tracker, Guid from, Guid to, CancellationToken cancellationToken)
    {
        var artifacts = await tracker.ListArtifactsAsync(from, cancellationToken);
        foreach (var artifact in artifacts.Where(a => a.Path.StartsWith("checkpoint/", StringComparison.Ordinal)).OrderBy(a => a.Path.EndsWith("state.json", StringComparison.Ordinal)))
        {
            using var buffer = new MemoryStream();
            await tracker.DownloadArtifactAsync(from, artifact.Path, buffer, cancellationToken);
            buffer.Position = 0;
            await tracker.UploadArtifactAsync(to, artifact.Path, buffer, artifact.ContentType, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the job, recording through <paramref name="recorder"/> (the folder, or a reproduction's guard over it), with
    /// its log also written to <c>training.log</c>, stored as an artifact of <paramref name="folder"/>.
    /// </summary>
    internal static async Task<(string Status, string? Reason, TrainingOutcome? Outcome)> RunLoggedAsync(
        RunConfig config, OfflineRunFolder folder, IRunRecorder recorder, TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var log = Path.Combine(options.WorkDirectory, "training.log");
        (string, string?, TrainingOutcome?) result;
        using (var jobLogger = new TeeLogger(logger, log, TimeProvider.System))
            result = await RunWithProgressAsync(config, recorder, options, jobLogger, cancellationToken);
        folder.LogArtifact("training.log", log, "text/plain");
        return result;
    }

    private static async Task<Run?> TryGetAsync(TrackerClient tracker, Guid runId, CancellationToken cancellationToken)
    {
        try { return await tracker.GetRunAsync(runId, cancellationToken); }
        catch (HttpRequestException) { return null; }
    }

    private static async Task<(string Status, string? Reason, TrainingOutcome? Outcome)> RunWithProgressAsync(
        RunConfig config, IRunRecorder recorder, TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        using var progress = new ProgressDisplay();
        try
        {
            var job = new TrainingJob(config, recorder, options with { OnProgress = progress.Report }, logger);
            var outcome = await Task.Run(() => job.RunAsync(cancellationToken), cancellationToken);
            var (status, reason) = RunEnd.Of(outcome);
            return (status, reason, outcome);
        }
        catch (Exception exception) when (exception is Reproduction.ReproductionRefusedException)
        {
            logger.LogError("{Message}", exception.Message);
            return (RunStatuses.Failed, exception.Message, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Training failed");
            return (RunStatuses.Failed, $"{exception.GetType().Name}: {exception.Message}", null);
        }
    }

    private static string Summary(Guid? runId, string? folder, string status, string? reason, TrainingOutcome? outcome)
    {
        var node = new System.Text.Json.Nodes.JsonObject
        {
            ["run_id"] = runId?.ToString(),
            ["folder"] = folder,
            ["status"] = status,
            ["status_reason"] = reason,
            ["steps"] = outcome?.Steps,
            ["seq_per_s"] = outcome?.SequencesPerSecond,
        };
        if (outcome?.LastEvaluation is { } evaluation)
        {
            node["eval/loss"] = evaluation.Loss;
            node["eval/accuracy"] = evaluation.Accuracy;
            node["eval/f1_macro"] = evaluation.F1Macro;
        }
        return node.ToJsonString();
    }

    /// <summary>Ctrl+C asks the job to stop at its next step (checkpoint saved); a second Ctrl+C aborts.</summary>
    private static CancellationTokenSource ConsoleCancellation(CancellationToken outer, Action requestStop)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var pressed = 0;
        Console.CancelKeyPress += (_, args) =>
        {
            if (Interlocked.Increment(ref pressed) == 1)
            {
                args.Cancel = true;
                requestStop();
            }
        };
        return source;
    }
}
