using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tracking;

/// <summary>Sends spooled entries to the tracker through <see cref="TrackerClient"/>.</summary>
/// <param name="tracker">The tracker's client.</param>
public sealed class TrackerSink(TrackerClient tracker) : ITrackerSink
{
    /// <inheritdoc />
    public Task SendBatchAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken) =>
        tracker.LogBatchAsync(runId, batch, cancellationToken);

    /// <inheritdoc />
    public async Task SendArtifactAsync(Guid runId, SpoolArtifact artifact, Stream content, CancellationToken cancellationToken)
    {
        var stored = await tracker.UploadArtifactAsync(runId, artifact.Path, content, artifact.ContentType, cancellationToken);
        if (!string.Equals(stored.Sha256, artifact.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            // Bytes changed on the way; the drainer treats this like a network failure and uploads again.
            throw new InvalidDataException(
                $"The tracker stored artifact {artifact.Path} of run {runId} with SHA-256 {stored.Sha256}, but the spooled copy has {artifact.Sha256}.");
        }
    }

    /// <inheritdoc />
    public Task SendStatusAsync(Guid runId, UpdateRun status, CancellationToken cancellationToken) =>
        tracker.UpdateRunAsync(runId, status, cancellationToken);
}
