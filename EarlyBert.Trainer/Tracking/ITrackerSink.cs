using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// Where <see cref="SpoolDrainer"/> sends spooled entries: the tracker (<see cref="TrackerSink"/>), or a fake in
/// tests. Throw <see cref="EarlyBert.Tracker.Client.TrackerApiException"/> for the tracker's refusals (a 4xx other
/// than 408 and 429 is final) and anything else for failures worth retrying.
/// </summary>
public interface ITrackerSink
{
    /// <summary>Sends a batch; the tracker stores a batch id once, so sending it again is harmless.</summary>
    Task SendBatchAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken);

    /// <summary>Uploads an artifact from its spooled copy; uploading the same path again overwrites it.</summary>
    Task SendArtifactAsync(Guid runId, SpoolArtifact artifact, Stream content, CancellationToken cancellationToken);

    /// <summary>Changes the run's status, notes or tags; the same status again is a no-op.</summary>
    Task SendStatusAsync(Guid runId, UpdateRun status, CancellationToken cancellationToken);
}
