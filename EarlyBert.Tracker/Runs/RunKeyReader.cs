using EarlyBert.Tracker.Client.Runs;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary><c>GET /api/runs/keys</c>: every param, metric, tag and metadata key in use, for column pickers and filter help.</summary>
internal static class RunKeyReader
{
    /// <summary>Reads the four key lists in one round trip.</summary>
    public static async Task<RunKeys> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DistinctKeys("params")));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DistinctKeys("metric_series")));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(DistinctKeys("run_tags")));
        // No index leads with the metadata key, so this one is a plain DISTINCT over the table; metadata keys are a
        // few dozen per run, and the dashboard asks beside the first page, not before it.
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT DISTINCT key FROM run_metadata"));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var lists = new List<IReadOnlyList<string>>();
        do
        {
            var keys = new List<string>();
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
            }

            keys.Sort(StringComparer.Ordinal);
            lists.Add(keys);
        }
        while (await reader.NextResultAsync(cancellationToken));

        return new RunKeys(lists[0], lists[1], lists[2], lists[3]);
    }

    // A loose index scan over an index that leads with the key: one index probe per distinct key, however many runs
    // (10,000 runs with 30 params each are 300,000 rows; they have perhaps 40 distinct keys).
    private static string DistinctKeys(string table) => $"""
        WITH RECURSIVE k(key) AS (
            (SELECT key FROM {table} ORDER BY key LIMIT 1)
            UNION ALL
            SELECT (SELECT t.key FROM {table} t WHERE t.key > k.key ORDER BY t.key LIMIT 1) FROM k WHERE k.key IS NOT NULL)
        SELECT key FROM k WHERE key IS NOT NULL
        """;
}
