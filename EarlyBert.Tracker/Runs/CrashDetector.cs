using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Runs;

/// <summary>
/// Marks running runs as crashed when their worker has been silent for longer than
/// <see cref="TrackerOptions.HeartbeatTimeout"/>, checking every <see cref="TrackerOptions.CrashSweepInterval"/>
/// on the injected <see cref="TimeProvider"/> (so tests drive it with a fake clock).
/// </summary>
public sealed class CrashDetector(RunStore runs, TimeProvider time, IOptions<TrackerOptions> options, ILogger<CrashDetector> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        logger.LogInformation("Crash detection every {Interval} with a heartbeat timeout of {Timeout}", settings.CrashSweepInterval, settings.HeartbeatTimeout);
        using var timer = new PeriodicTimer(settings.CrashSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await runs.MarkCrashedAsync(settings.HeartbeatTimeout, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The database may be briefly unreachable; the next tick tries again.
                    logger.LogError(exception, "Crash detection sweep failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
