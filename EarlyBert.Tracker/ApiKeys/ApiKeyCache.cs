using System.Collections.Concurrent;
using Npgsql;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// Keys read from PostgreSQL, kept for <see cref="Lifetime"/> so that a request does not cost a query. Only keys that
/// exist are kept (a key made on another tracker works here at once). A revocation through this tracker clears the
/// cache at once; another tracker sharing the database sees it within <see cref="Lifetime"/>.
/// </summary>
internal sealed class ApiKeyCache(ApiKeyStore store, TimeProvider time, ILogger<ApiKeyCache> logger)
{
    /// <summary>How long a key read from the database is trusted without reading it again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>The key with display prefix <paramref name="prefix"/>, revoked or not; null when there is none.</summary>
    public async ValueTask<StoredApiKey?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        entries.TryGetValue(prefix, out var cached);
        if (cached is not null && now - cached.ReadAt < Lifetime)
        {
            return cached.Key;
        }

        StoredApiKey? key;
        try
        {
            key = await store.FindByPrefixAsync(prefix, cancellationToken);
        }
        catch (Exception exception) when (cached is not null && exception is NpgsqlException or TimeoutException)
        {
            // While PostgreSQL restarts, a key known a moment ago stays known: clients keep working (and retrying
            // their writes) instead of all failing authentication at once.
            logger.LogWarning(exception, "Could not read API key {Prefix} from the database; using the copy read at {ReadAt}", prefix, cached.ReadAt);
            return cached.Key;
        }

        if (key is null)
        {
            entries.TryRemove(prefix, out _);
        }
        else
        {
            entries[prefix] = new Entry(key, now);
        }

        return key;
    }

    /// <summary>Forgets every key, so that the next request reads the database (after a revocation).</summary>
    public void Clear() => entries.Clear();

    private sealed record Entry(StoredApiKey Key, DateTimeOffset ReadAt);
}
