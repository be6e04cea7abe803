namespace EarlyBert.Trainer.Tracking;

/// <summary>One line of a run's <c>rejected.jsonl</c>: an entry the tracker refused for good, kept for a person.</summary>
/// <param name="RejectedAt">When the tracker refused it.</param>
/// <param name="StatusCode">The HTTP status of the refusal, when the tracker answered.</param>
/// <param name="Reason">The tracker's problem detail or title, or why the spool could not send it.</param>
/// <param name="Entry">The entry as it was spooled.</param>
/// <param name="KeptFile">For an artifact, where its bytes were kept (relative to the run's spool folder).</param>
internal sealed record RejectedEntry(DateTimeOffset RejectedAt, int? StatusCode, string Reason, SpoolEntry Entry, string? KeptFile = null);
