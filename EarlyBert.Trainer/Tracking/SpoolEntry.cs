using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tracking;

/// <summary>One thing to send to the tracker, in order. Exactly one payload member is set.</summary>
/// <param name="Sequence">Position in the run's spool: 1, 2, 3… and continuing after a restart.</param>
/// <param name="RunId">The run it belongs to.</param>
/// <param name="Batch">Metrics, params, tags and metadata to log.</param>
/// <param name="Artifact">An artifact whose bytes wait in the spool.</param>
/// <param name="Status">A change of the run's status, notes or tags.</param>
public sealed record SpoolEntry(long Sequence, Guid RunId, RunBatch? Batch = null, SpoolArtifact? Artifact = null, UpdateRun? Status = null)
{
    /// <summary>Whether exactly one payload member is set (anything else cannot be sent).</summary>
    internal bool HasOnePayload => (Batch is null ? 0 : 1) + (Artifact is null ? 0 : 1) + (Status is null ? 0 : 1) == 1;
}

/// <summary>An artifact whose bytes were copied into the spool, so the job may delete or overwrite its own file.</summary>
/// <param name="Path">Artifact path in the run, for example <c>model/config.json</c>.</param>
/// <param name="ContentType">Media type to upload it with.</param>
/// <param name="StoredFile">The copy, relative to the run's spool folder (forward slashes).</param>
/// <param name="Length">Size of the copy in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the copy.</param>
public sealed record SpoolArtifact(string Path, string ContentType, string StoredFile, long Length, string Sha256);
