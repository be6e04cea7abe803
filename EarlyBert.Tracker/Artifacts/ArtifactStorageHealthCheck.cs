using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>Healthy when the S3 server answers with our credentials and the artifact bucket exists.</summary>
internal sealed class ArtifactStorageHealthCheck(ArtifactStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.BucketExistsAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The artifact bucket is reachable.")
                : HealthCheckResult.Unhealthy("The S3 server answers but the artifact bucket does not exist.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The S3 server cannot be reached: {exception.Message}", exception);
        }
    }
}
