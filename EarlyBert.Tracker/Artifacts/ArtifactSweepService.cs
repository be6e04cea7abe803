using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// Runs <see cref="ArtifactSweep"/> every <see cref="ArtifactSweepOptions.ArtifactSweepInterval"/> on the injected
/// <see cref="TimeProvider"/>, first one interval after start (a restarting tracker does not list the bucket at once),
/// removing what is older than <see cref="ArtifactSweepOptions.ArtifactSweepGrace"/>.
/// </summary>
internal sealed class ArtifactSweepService(ArtifactSweep sweep, TimeProvider time, IOptions<ArtifactSweepOptions> options, ILogger<ArtifactSweepService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.ArtifactSweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await sweep.RunAsync(time.GetUtcNow() - settings.ArtifactSweepGrace, stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // S3 or PostgreSQL may be briefly unreachable; the next tick tries again and nothing is lost meanwhile.
                    logger.LogError(exception, "Artifact sweep failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
