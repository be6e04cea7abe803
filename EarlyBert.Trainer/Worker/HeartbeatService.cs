using System.Reflection;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Tracker.Client.Workers;
using Microsoft.Extensions.Options;

namespace EarlyBert.Trainer.Worker;

/// <summary>
/// Tells the tracker, at a fixed interval, that this worker is alive. A failed heartbeat is logged and retried at
/// the next tick: the tracker being down must not stop the worker.
/// </summary>
internal sealed class HeartbeatService(
    TrackerClient tracker,
    IOptions<WorkerOptions> options,
    WorkerIdentity identity,
    WorkerDevice device,
    HeartbeatStatus status,
    TimeProvider time,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var workerId = identity.Id;
        var heartbeat = new WorkerHeartbeat(
            Environment.MachineName,
            Environment.ProcessId,
            typeof(HeartbeatService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            device.Description);

        using var timer = new PeriodicTimer(settings.HeartbeatInterval, time);
        do
        {
            try
            {
                await tracker.SendHeartbeatAsync(workerId, heartbeat, stoppingToken);
                status.Succeeded(time.GetUtcNow());
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                status.Failed(TrackerAccess.Describe(exception));
                logger.LogWarning("Heartbeat of worker {WorkerId} to the tracker failed: {Reason}", workerId, TrackerAccess.Describe(exception));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
