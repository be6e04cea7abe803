namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// Creates the artifact bucket at start-up. Failures are logged, not thrown: the tracker still serves the
/// database-only API, and the S3 health check reports what is wrong until the bucket exists.
/// </summary>
internal sealed class ArtifactBucketBootstrap(ArtifactStore store, ILogger<ArtifactBucketBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.EnsureBucketAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Could not create the artifact bucket; artifact uploads will fail until S3 is reachable");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
