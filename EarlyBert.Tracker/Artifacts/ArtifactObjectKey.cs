namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// Where an upload's bytes live in the bucket: <c>runs/{runId}/objects/{uploadId}</c>, a key of its own for every
/// upload, never reused. The artifact's row names its current object (<c>artifacts.object_key</c>); rows written
/// before migration 0008 keep their old keys <c>runs/{runId}/{path}</c> (<see cref="ArtifactPath.ObjectKey"/>).
/// </summary>
public static class ArtifactObjectKey
{
    /// <summary>The prefix every run's objects share; the sweep looks for orphans under it.</summary>
    public const string RunsPrefix = "runs/";

    /// <summary>The key of upload <paramref name="uploadId"/> to run <paramref name="runId"/> (82 ASCII characters).</summary>
    public static string For(Guid runId, Guid uploadId) => $"{RunsPrefix}{runId}/objects/{uploadId:N}";
}
