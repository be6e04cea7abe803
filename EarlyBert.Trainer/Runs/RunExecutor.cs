using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Reproduction;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Training.Training;

namespace EarlyBert.Trainer.Runs;

/// <summary>
/// Trains one tracker run: resumes from its last checkpoint when it has one, sends the run heartbeat, stops on a
/// cancel request, and ends the run finished, cancelled or failed (with the reason), all through the spool.
/// </summary>
internal sealed class RunExecutor(TrackerClient tracker, RunSpool spool, TimeProvider time, ILogger<RunExecutor> logger)
{
    /// <summary>How often the run heartbeat goes out.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to keep the run alive while the spool sends its last records.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Trains <paramref name="run"/> (claimed or created running) in a folder under <paramref name="workRoot"/>.</summary>
    public async Task<string> ExecuteAsync(Run run, string workRoot, Action<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var recorder = new TrackerRecorder(spool, run.Id);
        var workDirectory = Path.Combine(workRoot, run.Id.ToString());
        Directory.CreateDirectory(workDirectory);
        using var jobLogger = new TeeLogger(logger, Path.Combine(workDirectory, "training.log"), time);
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeat = SendHeartbeatsAsync(run.Id, recorder, heartbeats.Token);
        string status;
        string? reason = null;
        try
        {
            var config = RunConfigJson.Parse(run.Config.GetRawText());
            var resume = await FindCheckpointAsync(run.Id, workDirectory, cancellationToken);
            if (resume is not null)
                recorder.AlreadyLogged = await LoggedStepsAsync(run.Id, cancellationToken);
            var options = new TrainingJobOptions
            {
                WorkDirectory = workDirectory,
                ResumeFrom = resume,
                OnResolved = (resolved, _) =>
                {
                    recorder.StoreConfig(resolved);
                    return Task.CompletedTask;
                },
                OnProgress = progress,
                OnCheckpoint = (folder, state) =>
                {
                    foreach (var file in TrainingCheckpoint.Files)
                        recorder.LogArtifact($"checkpoint/{state.Step:D8}/{file}", Path.Combine(folder, file), "application/octet-stream");
                },
            };
            IRunRecorder jobRecorder = recorder;
            if (run.Reproduction is { } reproduction)
            {
                // A reproduction trains only on the parent's data, vocabulary and base model (checked by hash).
                var parent = await tracker.GetRunAsync(reproduction.ParentRunId, cancellationToken);
                jobRecorder = new ReproductionGuard(recorder, ReproductionGuard.Strings(parent.Metadata));
                jobLogger.LogInformation("Run {RunId} reproduces run {ParentRunId}", run.Id, parent.Id);
            }
            var job = new TrainingJob(config, jobRecorder, options, jobLogger);
            // The job is CPU-bound and synchronous between awaits: run it off the caller's thread so heartbeats flow.
            var outcome = await Task.Run(() => job.RunAsync(cancellationToken), cancellationToken);
            (status, reason) = RunEnd.Of(outcome);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The worker is shutting down: leave the run running; its heartbeat stops and the tracker re-queues it.
            jobLogger.LogWarning("Worker stopping: run {RunId} left for crash detection and retry", run.Id);
            throw;
        }
        catch (Exception exception)
        {
            jobLogger.LogError(exception, "Run {RunId} failed", run.Id);
            status = RunStatuses.Failed;
            reason = exception is SpoolFullException or ReproductionRefusedException ? exception.Message : $"{exception.GetType().Name}: {exception.Message}";
        }

        try
        {
            recorder.LogArtifact("training.log", jobLogger.File, "text/plain");
            recorder.End(status, reason);
        }
        catch (SpoolFullException full)
        {
            // The spool cannot take the end of the run: say so to the tracker directly rather than leave it running.
            logger.LogError("Run {RunId}: {Message}", run.Id, full.Message);
            try
            {
                await tracker.UpdateRunAsync(run.Id, new UpdateRun(Status: RunStatuses.Failed, StatusReason: full.Message), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError("Run {RunId} could not be marked failed: {Reason}", run.Id, exception.Message);
            }
        }
        logger.LogInformation("Run {RunId} {Status}{Reason}; sending its last records", run.Id, status, reason is null ? "" : $": {reason}");
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(DrainTimeout);
            try
            {
                await spool.WaitDrainedAsync(run.Id, drain.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Run {RunId}: {Pending} records still in the spool after {Timeout}; they are sent when the tracker answers",
                    run.Id, spool.PendingCount(run.Id), DrainTimeout);
            }
        }
        await heartbeats.CancelAsync();
        await heartbeat;
        return status;
    }

    private async Task SendHeartbeatsAsync(Guid runId, TrackerRecorder recorder, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            do
            {
                try
                {
                    var answer = await tracker.SendRunHeartbeatAsync(runId, cancellationToken);
                    if (answer.CancelRequested || answer.Status is not RunStatuses.Running)
                    {
                        if (!recorder.StopRequested)
                            logger.LogInformation("Run {RunId}: stop requested (status {Status}, cancel requested {Cancel})", runId, answer.Status, answer.CancelRequested);
                        recorder.RequestStop();
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    logger.LogWarning("Run heartbeat of {RunId} failed: {Reason}", runId, exception.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// What the tracker holds of a run being resumed: first whatever an earlier worker on this machine left in the
    /// spool is sent, then the highest step of every metric is read.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, long>> LoggedStepsAsync(Guid runId, CancellationToken cancellationToken)
    {
        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            drain.CancelAfter(DrainTimeout);
            try
            {
                await spool.WaitDrainedAsync(runId, drain.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Records of run {runId} left by an earlier worker could not be sent within {DrainTimeout}; not resuming over them.");
            }
        }
        var latest = await tracker.GetLatestMetricsAsync(runId, cancellationToken);
        return latest.ToDictionary(m => m.Key, m => m.MaxStep, StringComparer.Ordinal);
    }

    /// <summary>The run's last checkpoint: the local one, or the one stored in the tracker by an earlier worker.</summary>
    private async Task<string?> FindCheckpointAsync(Guid runId, string workDirectory, CancellationToken cancellationToken)
    {
        if (TrainingCheckpoint.Locate(Path.Combine(workDirectory, "checkpoint")) is { } local) return local;
        IReadOnlyList<Tracker.Client.Artifacts.ArtifactInfo> artifacts;
        try
        {
            artifacts = await tracker.ListArtifactsAsync(runId, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        // Checkpoints are stored under checkpoint/STEP/ with state.json sent last: the newest complete one wins.
        var latest = artifacts.Select(a => a.Path).Where(p => p.StartsWith("checkpoint/", StringComparison.Ordinal) && p.EndsWith("/state.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).LastOrDefault();
        if (latest is null) return null;
        var prefix = latest[..^"state.json".Length];
        var target = Path.Combine(workDirectory, "checkpoint-downloaded");
        foreach (var file in TrainingCheckpoint.Files)
        {
            var path = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var stream = File.Create(path);
            await tracker.DownloadArtifactAsync(runId, prefix + file, stream, cancellationToken);
        }
        logger.LogInformation("Run {RunId}: resuming from the checkpoint {Checkpoint} stored in the tracker", runId, prefix);
        return target;
    }
}
