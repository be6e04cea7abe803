using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Trainer.Runs;
using Microsoft.Extensions.Options;

namespace EarlyBert.Trainer.Worker;

/// <summary>
/// Claims queued runs from the tracker one at a time and trains them. On its first start against a tracker that
/// holds no run at all it queues the <c>quickstart</c> preset, so a newcomer sees a run train.
/// </summary>
internal sealed class RunWorker(
    TrackerClient tracker,
    RunExecutor executor,
    IOptions<WorkerOptions> options,
    WorkerIdentity identity,
    TimeProvider time,
    ILogger<RunWorker> logger) : BackgroundService
{
    /// <summary>Where runs' files go by default.</summary>
    public static string DefaultWorkDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "runs");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var workRoot = settings.WorkDirectory ?? DefaultWorkDirectory;
        var quickstartChecked = !settings.QueueQuickstartWhenEmpty;
        while (!stoppingToken.IsCancellationRequested)
        {
            Run? run = null;
            try
            {
                if (!quickstartChecked)
                {
                    await QueueQuickstartIfEmptyAsync(stoppingToken);
                    quickstartChecked = true;
                }
                run = await tracker.ClaimRunAsync(identity.Id, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning("Could not ask the tracker for a run: {Reason}", TrackerAccess.Describe(exception));
            }

            if (run is null)
            {
                await Task.Delay(settings.PollInterval, time, stoppingToken);
                continue;
            }

            logger.LogInformation("Claimed run {RunId} ({Name})", run.Id, run.Name);
            var status = await executor.ExecuteAsync(run, workRoot, progress: null, stoppingToken);
            logger.LogInformation("Run {RunId} ended {Status}", run.Id, status);
        }
    }

    private async Task QueueQuickstartIfEmptyAsync(CancellationToken cancellationToken)
    {
        var page = await tracker.ListRunsAsync(0, 1, cancellationToken);
        if (page.TotalCount > 0) return;
        var config = Presets.Get("quickstart");
        await tracker.EnsureExperimentAsync(config.Experiment, "Runs queued by the platform and by users without an experiment.", cancellationToken);
        var run = await tracker.CreateRunAsync(new CreateRun(config.Experiment, "quickstart", RunStatuses.Queued,
            System.Text.Json.JsonSerializer.SerializeToElement(RunConfigJson.ToNode(config)),
            Notes: "Queued by the worker on a tracker without runs: the quickstart preset (MiniLM on 600 SpamAssassin emails, 1 epoch)."), cancellationToken);
        logger.LogInformation("The tracker holds no run: queued quickstart as {RunId}", run.Id);
    }
}
