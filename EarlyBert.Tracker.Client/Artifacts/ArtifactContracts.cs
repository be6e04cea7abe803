namespace EarlyBert.Tracker.Client.Artifacts;

/// <summary>A stored artifact of a run.</summary>
/// <param name="Path">Relative path within the run, for example <c>checkpoints/step-1000/model.safetensors</c>.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the bytes, computed by the tracker while storing them.</param>
/// <param name="ContentType">Media type given at upload.</param>
/// <param name="CreatedAt">When it was stored.</param>
public sealed record ArtifactInfo(string Path, long Size, string Sha256, string ContentType, DateTimeOffset CreatedAt);
