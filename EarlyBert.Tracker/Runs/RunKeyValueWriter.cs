using System.Text.Json;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary>
/// The one writer of a run's tags and metadata, inside the caller's transaction: both are overwriting key-value maps,
/// so the run API, the batch writer and the MLflow API all store them through here.
/// </summary>
internal static class RunKeyValueWriter
{
    /// <summary>Sets tags of a run, overwriting those of the same keys.</summary>
    public static Task UpsertTagsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken) =>
        UpsertAsync("run_tags", "v", connection, transaction, runId, tags.Keys, key => tags[key], cancellationToken);

    /// <summary>Sets metadata of a run (JSON values), overwriting those of the same keys.</summary>
    public static Task UpsertMetadataAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, IReadOnlyDictionary<string, JsonElement> metadata, CancellationToken cancellationToken) =>
        UpsertAsync("run_metadata", "v::jsonb", connection, transaction, runId, metadata.Keys, key => metadata[key].GetRawText(), cancellationToken);

    // Keys in one order, so concurrent writers to one run take row locks in the same order and never deadlock.
    private static async Task UpsertAsync(
        string table, string value, NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, IEnumerable<string> keys,
        Func<string, string> text, CancellationToken cancellationToken)
    {
        var ordered = keys.Order(StringComparer.Ordinal).ToArray();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {table} (run_id, key, value) SELECT $1, k, {value} FROM unnest($2::text[], $3::text[]) AS n(k, v) " +
            "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value",
            connection, transaction);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(ordered);
        command.Parameters.AddWithValue(ordered.Select(text).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
