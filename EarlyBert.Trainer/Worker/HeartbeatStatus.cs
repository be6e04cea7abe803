using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EarlyBert.Trainer.Worker;

/// <summary>
/// The outcome of the latest heartbeat, read by the health check: the worker is only ready once the tracker has
/// heard from it.
/// </summary>
internal sealed class HeartbeatStatus : IHealthCheck
{
    private volatile string? lastError = "No heartbeat has been sent yet.";
    private DateTimeOffset lastSuccess;

    public void Succeeded(DateTimeOffset at)
    {
        lastSuccess = at;
        lastError = null;
    }

    public void Failed(string reason) => lastError = reason;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lastError is null
            ? HealthCheckResult.Healthy($"Last heartbeat accepted at {lastSuccess:O}.")
            : HealthCheckResult.Unhealthy($"The tracker has not accepted the latest heartbeat: {lastError}"));
}
