using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Artifacts;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>An artifact's row: where its bytes are and what they must be.</summary>
/// <param name="ObjectKey">The S3 object that holds the bytes.</param>
/// <param name="Expected">Size and SHA-256 recorded when the bytes were stored.</param>
/// <param name="ContentType">Media type given at upload.</param>
public sealed record ArtifactObject(string ObjectKey, StoredObject Expected, string ContentType);

/// <summary>
/// The one way artifacts are read (the tracker's API and the MLflow artifact proxy both call it): streamed from S3
/// and checked against the row on the way. A missing object or one whose size or SHA-256 differs from the row is
/// logged as an error and the response aborted before its last bytes, so the client sees a broken transfer.
/// </summary>
public sealed class ArtifactReader(NpgsqlDataSource dataSource, ArtifactStore store, ILogger<ArtifactReader> logger)
{
    /// <summary>A run's artifacts by path; null when there is no such run.</summary>
    public async Task<List<ArtifactInfo>?> ListAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT path, size, sha256, content_type, created_at FROM artifacts WHERE run_id = $1 ORDER BY path")
        {
            Parameters = { new NpgsqlParameter { Value = runId } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 FROM runs WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = runId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var artifacts = new List<ArtifactInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            artifacts.Add(new ArtifactInfo(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? artifacts : null;
    }

    /// <summary>The row of artifact <paramref name="path"/> of run <paramref name="runId"/>; <c>null</c> when there is none.</summary>
    public async Task<ArtifactObject?> FindAsync(Guid runId, string path, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT object_key, size, sha256, content_type FROM artifacts WHERE run_id = $1 AND path = $2");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ArtifactObject(reader.GetString(0), new StoredObject(reader.GetInt64(1), reader.GetString(2)), reader.GetString(3))
            : null;
    }

    /// <summary>
    /// The response that streams <paramref name="artifact"/>, with its size as <c>Content-Length</c> and its SHA-256
    /// in <see cref="TrackerClient.Sha256Header"/>. S3 errors before the first byte propagate (the error handler
    /// answers them); after it, they abort the response.
    /// </summary>
    public PushStreamHttpResult Stream(Guid runId, string path, ArtifactObject artifact, HttpContext context)
    {
        context.Response.Headers[TrackerClient.Sha256Header] = artifact.Expected.Sha256;
        context.Response.ContentLength = artifact.Expected.Size;
        return TypedResults.Stream(async body =>
        {
            var received = await store.GetAsync(artifact.ObjectKey, artifact.Expected, body, context.RequestAborted);
            if (received is null)
            {
                logger.LogError("Artifact {Path} of run {RunId} is recorded but its object {ObjectKey} is missing in S3", path, runId, artifact.ObjectKey);
                context.Abort();
            }
            else if (received != artifact.Expected)
            {
                logger.LogError(
                    "Artifact {Path} of run {RunId} does not match its row: object {ObjectKey} has {ReceivedSize} bytes with sha256 {ReceivedSha256}, the row says {ExpectedSize} bytes with sha256 {ExpectedSha256}; the download was aborted",
                    path, runId, artifact.ObjectKey, received.Size, received.Sha256, artifact.Expected.Size, artifact.Expected.Sha256);
                context.Abort();
            }
        }, artifact.ContentType);
    }
}
