using System.Security.Cryptography;
using System.Text;
using EarlyBert.Tracker.Client.Authentication;
using Npgsql;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>A key's row as authentication needs it: its hash, never its plaintext.</summary>
internal sealed record StoredApiKey(Guid Id, string Name, string Prefix, byte[] Hash, string Scope, DateTimeOffset? RevokedAt);

/// <summary>A key from configuration, hashed: what the start-up sync writes.</summary>
internal sealed record ConfiguredApiKey(string Name, string Prefix, byte[] Hash, IReadOnlyList<string> Scopes);

/// <summary>The <c>api_keys</c> table (migration 0007).</summary>
internal sealed class ApiKeyStore(NpgsqlDataSource dataSource, TimeProvider time, ILogger<ApiKeyStore> logger)
{
    private const string Columns = "id, name, prefix, scopes, source, created_at, last_used_at, revoked_at";

    // Any constant works; every tracker sharing the database must use the same one.
    private const long ConfigurationLockKey = 0x4562_4B65_7973;

    /// <summary>SHA-256 of a key's UTF-8 bytes: the only form of a key the tracker stores.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The key whose display prefix is <paramref name="prefix"/>, revoked or not; null when there is none.</summary>
    public async Task<StoredApiKey?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, name, prefix, hash, scopes, revoked_at FROM api_keys WHERE prefix = $1");
        command.Parameters.AddWithValue(prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredApiKey(
            reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3),
            ApiKeyScopes.Strongest(reader.GetFieldValue<string[]>(4)) ?? ApiKeyScopes.Read,
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }

    /// <summary>Makes a new key; the plaintext is in the answer and nowhere else.</summary>
    public async Task<CreatedApiKey> CreateAsync(string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        // Two keys sharing a 12-character prefix (48 random bits) is improbable but possible: draw again.
        for (var attempt = 0; ; attempt++)
        {
            var key = TrackerApiKey.Generate();
            await using var command = dataSource.CreateCommand(
                $"INSERT INTO api_keys (id, name, prefix, hash, scopes, source, created_at) VALUES ($1, $2, $3, $4, $5, 'api', $6) RETURNING {Columns}");
            command.Parameters.AddWithValue(Guid.CreateVersion7());
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(TrackerApiKey.DisplayPrefix(key));
            command.Parameters.AddWithValue(Hash(key));
            command.Parameters.AddWithValue(scopes.ToArray());
            command.Parameters.AddWithValue(time.GetUtcNow());
            try
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                return new CreatedApiKey(key, Read(reader));
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 3)
            {
                logger.LogWarning("A new API key's prefix was taken; drawing another key");
            }
        }
    }

    /// <summary>Every key, oldest first.</summary>
    public async Task<List<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM api_keys ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    /// <summary>Revokes a key (a revoked key keeps its first revocation time); false when the id is unknown.</summary>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(time.GetUtcNow());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Records that a key was used at <paramref name="at"/> (never moving the time back).</summary>
    public async Task TouchAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE api_keys SET last_used_at = greatest(last_used_at, $2) WHERE id = $1");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(at);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the configured keys the database's: each name's row gets its current hash and scopes (a changed key
    /// replaces the old hash, and a new key is valid even if the old one was revoked), and configured keys no longer in
    /// configuration are revoked. One transaction, under an advisory lock, so trackers starting together agree.
    /// </summary>
    public async Task SyncConfiguredAsync(IReadOnlyList<ConfiguredApiKey> keys, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({ConfigurationLockKey})", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var now = time.GetUtcNow();
        foreach (var key in keys)
        {
            // A key revoked through the API stays revoked while configuration still holds that same key: only a new
            // key (another hash) brings the name back.
            await using var command = new NpgsqlCommand(
                """
                INSERT INTO api_keys (id, name, prefix, hash, scopes, source, created_at)
                VALUES ($1, $2, $3, $4, $5, 'configuration', $6)
                ON CONFLICT (name) WHERE source = 'configuration' DO UPDATE
                SET prefix = excluded.prefix, hash = excluded.hash, scopes = excluded.scopes,
                    revoked_at = CASE WHEN api_keys.hash = excluded.hash THEN api_keys.revoked_at END,
                    last_used_at = CASE WHEN api_keys.hash = excluded.hash THEN api_keys.last_used_at END
                """, connection, transaction);
            command.Parameters.AddWithValue(Guid.CreateVersion7());
            command.Parameters.AddWithValue(key.Name);
            command.Parameters.AddWithValue(key.Prefix);
            command.Parameters.AddWithValue(key.Hash);
            command.Parameters.AddWithValue(key.Scopes.ToArray());
            command.Parameters.AddWithValue(now);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                throw new InvalidOperationException(
                    $"The key configured as Tracker:ApiKeys:{key.Name}:Key is already stored as another key (prefix {key.Prefix}); give it a new key ({nameof(TrackerApiKey)}.{nameof(TrackerApiKey.Generate)}).",
                    exception);
            }
        }

        await using (var command = new NpgsqlCommand(
            "UPDATE api_keys SET revoked_at = $2 WHERE source = 'configuration' AND revoked_at IS NULL AND NOT (name = ANY($1))",
            connection, transaction))
        {
            command.Parameters.AddWithValue(keys.Select(k => k.Name).ToArray());
            command.Parameters.AddWithValue(now);
            var revoked = await command.ExecuteNonQueryAsync(cancellationToken);
            if (revoked > 0)
            {
                logger.LogInformation("Revoked {Count} configured API keys that configuration no longer holds", revoked);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static ApiKeyInfo Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetFieldValue<string[]>(3),
        reader.GetString(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
        reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7));
}
