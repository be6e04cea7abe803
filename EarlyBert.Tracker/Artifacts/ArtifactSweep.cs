using Npgsql;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>What one sweep removed.</summary>
/// <param name="ExpiredUploads">Registered uploads older than the cutoff, given up (their objects then count as orphans).</param>
/// <param name="AbortedUploads">Unfinished multipart uploads aborted.</param>
/// <param name="RemovedObjects">Objects that no artifact row and no upload in flight referenced, deleted.</param>
public sealed record ArtifactSweepResult(int ExpiredUploads, int AbortedUploads, int RemovedObjects);

/// <summary>
/// Removes what failed uploads left behind and cleanup could not reach (S3 or PostgreSQL down at the time, a tracker
/// killed mid-upload): unfinished multipart uploads started before a cutoff, and objects under <c>runs/</c> older than
/// it that no <c>artifacts</c> row and no <c>artifact_uploads</c> row names.
/// </summary>
/// <remarks>
/// Safe with several trackers: an object is deleted only when one statement's snapshot shows neither a row that
/// references it nor its upload in flight, and an upload can only be recorded in the transaction that removes its
/// in-flight row, so no later commit can reference an object found unreferenced. Every step is idempotent (deleting an
/// absent object or aborting an absent upload is not an error); a PostgreSQL advisory lock only keeps two replicas
/// from listing the bucket at the same time.
/// </remarks>
public sealed class ArtifactSweep(NpgsqlDataSource dataSource, ArtifactStore store, ILogger<ArtifactSweep> logger)
{
    // Its own advisory lock key (migrations use another); the same on every tracker sharing the database.
    internal const long AdvisoryLockKey = 0x45424172745377; // "EBArtSw"
    private const int BatchSize = 1000;

    /// <summary>
    /// Removes uploads, unfinished multipart uploads and unreferenced objects older than <paramref name="cutoff"/>;
    /// <c>null</c> when another tracker is sweeping right now.
    /// </summary>
    public async Task<ArtifactSweepResult?> RunAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ScalarAsync<bool>(connection, $"SELECT pg_try_advisory_lock({AdvisoryLockKey})", cancellationToken))
        {
            logger.LogDebug("Another tracker is sweeping artifacts; this one skips the round");
            return null;
        }

        try
        {
            var expired = await ExpireUploadsAsync(connection, cutoff, cancellationToken);
            var aborted = await AbortUnfinishedAsync(cutoff, cancellationToken);
            var removed = await RemoveOrphansAsync(connection, cutoff, cancellationToken);
            var result = new ArtifactSweepResult(expired, aborted, removed);
            if (result != new ArtifactSweepResult(0, 0, 0))
            {
                logger.LogInformation(
                    "Artifact sweep (cutoff {Cutoff:O}) gave up {ExpiredUploads} uploads, aborted {AbortedUploads} unfinished multipart uploads and removed {RemovedObjects} orphaned objects",
                    cutoff, expired, aborted, removed);
            }

            return result;
        }
        finally
        {
            try
            {
                await ScalarAsync<bool>(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // A broken connection ends its session, and the session's locks with it.
            }
        }
    }

    private async Task<int> ExpireUploadsAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM artifact_uploads WHERE started_at < $1 RETURNING object_key", connection);
        command.Parameters.AddWithValue(cutoff);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            logger.LogInformation("Artifact sweep gave up upload {ObjectKey}, in flight since before {Cutoff:O}", reader.GetString(0), cutoff);
            count++;
        }

        return count;
    }

    private async Task<int> AbortUnfinishedAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // Every upload has a key of its own, so aborting all unfinished uploads of an old one's key touches no young one.
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (key, initiated) in store.ListUnfinishedUploadsAsync(ArtifactObjectKey.RunsPrefix, cancellationToken))
        {
            if (initiated < cutoff)
            {
                keys.Add(key);
            }
        }

        foreach (var key in keys)
        {
            await store.AbortUploadsAsync(key, cancellationToken);
            logger.LogInformation("Artifact sweep aborted the unfinished multipart upload to {ObjectKey}", key);
        }

        return keys.Count;
    }

    private async Task<int> RemoveOrphansAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        var candidates = new List<string>(BatchSize);
        await foreach (var (key, modified) in store.ListAsync(ArtifactObjectKey.RunsPrefix, cancellationToken))
        {
            if (modified < cutoff)
            {
                candidates.Add(key);
            }

            if (candidates.Count == BatchSize)
            {
                removed += await RemoveUnreferencedAsync(connection, candidates, cancellationToken);
                candidates.Clear();
            }
        }

        return removed + await RemoveUnreferencedAsync(connection, candidates, cancellationToken);
    }

    private async Task<int> RemoveUnreferencedAsync(NpgsqlConnection connection, List<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return 0;
        }

        var orphans = new List<string>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT k FROM unnest($1::text[]) AS k
            WHERE NOT EXISTS (SELECT 1 FROM artifacts WHERE object_key = k)
              AND NOT EXISTS (SELECT 1 FROM artifact_uploads WHERE object_key = k)
            """, connection))
        {
            command.Parameters.AddWithValue(keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                orphans.Add(reader.GetString(0));
            }
        }

        foreach (var key in orphans)
        {
            await store.DeleteAsync(key, cancellationToken);
            logger.LogInformation("Artifact sweep removed orphaned object {ObjectKey}", key);
        }

        return orphans.Count;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
