namespace EarlyBert.Trainer.Tracking;

/// <summary>Runs <see cref="SpoolDrainer"/> as a hosted service of the worker, for as long as the host runs.</summary>
/// <param name="drainer">The drainer.</param>
public sealed class SpoolDrainerService(SpoolDrainer drainer) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => drainer.RunAsync(stoppingToken);
}
