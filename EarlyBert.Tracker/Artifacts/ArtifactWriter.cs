using EarlyBert.Tracker.Client.Artifacts;
using Npgsql;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// The one way artifacts are written (the tracker's API and the MLflow artifact proxy both call it). Every upload
/// goes to an object key of its own, registered in <c>artifact_uploads</c> before the first byte; one transaction then
/// points the artifact's row at the complete object, and the object it replaced is deleted after the commit. A failed
/// upload (client gone, S3 or PostgreSQL error) changes no row and deletes its object and any unfinished multipart
/// upload before its exception goes on to the caller; what cleanup cannot reach is left to <see cref="ArtifactSweep"/>.
/// </summary>
public sealed class ArtifactWriter(NpgsqlDataSource dataSource, ArtifactStore store, TimeProvider time, ILogger<ArtifactWriter> logger)
{
    // Cleanup runs after the request may be gone (its token cancelled), so it has a budget of its own.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Stores <paramref name="content"/> as artifact <paramref name="path"/> of run <paramref name="runId"/>, which the
    /// caller has checked exists and takes artifacts. <paramref name="knownSize"/> (an HTTP request's
    /// <c>Content-Length</c>) must then be the number of bytes the content has.
    /// </summary>
    public async Task<ArtifactInfo> WriteAsync(
        Guid runId, string path, Stream content, string contentType, long? knownSize, CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var key = ArtifactObjectKey.For(runId, Guid.CreateVersion7(startedAt));
        await using (var register = dataSource.CreateCommand("INSERT INTO artifact_uploads (object_key, run_id, started_at) VALUES ($1, $2, $3)"))
        {
            register.Parameters.AddWithValue(key);
            register.Parameters.AddWithValue(runId);
            register.Parameters.AddWithValue(startedAt);
            await register.ExecuteNonQueryAsync(cancellationToken);
        }

        ArtifactInfo artifact;
        string? replaced;
        try
        {
            var stored = await store.PutAsync(key, content, contentType, cancellationToken, knownSize);
            if (knownSize is { } size && stored.Size != size)
            {
                // S3 would keep a short object as complete; a body that ended early is a failed upload.
                throw new IOException($"The artifact body ended after {stored.Size} of the {size} bytes its Content-Length announced.");
            }

            artifact = new ArtifactInfo(path, stored.Size, stored.Sha256, contentType, time.GetUtcNow());
            replaced = await RecordAsync(runId, key, artifact, cancellationToken);
        }
        catch (Exception exception)
        {
            await DiscardAsync(runId, path, key, exception);
            throw;
        }

        logger.LogInformation("Stored artifact {Path} of run {RunId} as {ObjectKey}: {Size} bytes, sha256 {Sha256}",
            path, runId, key, artifact.Size, artifact.Sha256);
        if (replaced is not null)
        {
            await DeleteReplacedAsync(runId, path, replaced);
        }

        return artifact;
    }

    // Points the row at the new object in one transaction and returns the key of the object it pointed at before.
    private async Task<string?> RecordAsync(Guid runId, string key, ArtifactInfo artifact, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var claim = new NpgsqlCommand("DELETE FROM artifact_uploads WHERE object_key = $1", connection, transaction))
        {
            claim.Parameters.AddWithValue(key);
            if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw new InvalidOperationException(
                    $"Upload {key} outlived Tracker:ArtifactSweepGrace and was given up by the artifact sweep; it is not recorded.");
            }
        }

        string? replaced;
        while (true)
        {
            // Row lock first: concurrent uploads to one path commit one after the other, and each learns exactly which
            // object it replaces. Without a row, the insert either wins or meets a row committed meanwhile (then lock it).
            await using (var current = new NpgsqlCommand("SELECT object_key FROM artifacts WHERE run_id = $1 AND path = $2 FOR UPDATE", connection, transaction))
            {
                current.Parameters.AddWithValue(runId);
                current.Parameters.AddWithValue(artifact.Path);
                replaced = await current.ExecuteScalarAsync(cancellationToken) as string;
            }

            var sql = replaced is null
                ? """
                  INSERT INTO artifacts (run_id, path, object_key, size, sha256, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                  ON CONFLICT (run_id, path) DO NOTHING
                  """
                : """
                  UPDATE artifacts SET object_key = $3, size = $4, sha256 = $5, content_type = $6, created_at = $7
                  WHERE run_id = $1 AND path = $2
                  """;
            await using var write = new NpgsqlCommand(sql, connection, transaction);
            write.Parameters.AddWithValue(runId);
            write.Parameters.AddWithValue(artifact.Path);
            write.Parameters.AddWithValue(key);
            write.Parameters.AddWithValue(artifact.Size);
            write.Parameters.AddWithValue(artifact.Sha256);
            write.Parameters.AddWithValue(artifact.ContentType);
            write.Parameters.AddWithValue(artifact.CreatedAt);
            if (await write.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                break;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return replaced;
    }

    private async Task DiscardAsync(Guid runId, string path, string key, Exception failure)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await store.AbortUploadsAsync(key, timeout.Token);
            await store.DeleteAsync(key, timeout.Token);
            await using var forget = dataSource.CreateCommand("DELETE FROM artifact_uploads WHERE object_key = $1");
            forget.Parameters.AddWithValue(key);
            await forget.ExecuteNonQueryAsync(timeout.Token);
            logger.LogWarning("Upload of artifact {Path} of run {RunId} failed ({Error}); its object {ObjectKey} was removed and no row changed",
                path, runId, failure.GetType().Name, key);
        }
        catch (Exception cleanup)
        {
            logger.LogWarning(cleanup, "Upload of artifact {Path} of run {RunId} failed ({Error}) and its object {ObjectKey} could not be removed now; the artifact sweep will remove it",
                path, runId, failure.GetType().Name, key);
        }
    }

    private async Task DeleteReplacedAsync(Guid runId, string path, string replaced)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await store.DeleteAsync(replaced, timeout.Token);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "The replaced object {ObjectKey} of artifact {Path} of run {RunId} could not be deleted now; the artifact sweep will remove it",
                replaced, path, runId);
        }
    }
}
