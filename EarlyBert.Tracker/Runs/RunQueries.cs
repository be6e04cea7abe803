using System.Text.Json;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Search;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary>Reads of runs: pages of the run list with chosen columns, one run whole, and the row readers others share.</summary>
public sealed class RunQueries(NpgsqlDataSource dataSource)
{
    /// <summary>The columns <see cref="ReadSummary"/> reads, over <c>runs r JOIN experiments e</c>.</summary>
    internal const string SummaryColumns =
        "r.id, e.name, r.name, r.status, r.created_at, r.started_at, r.ended_at, r.worker_id, r.parent_run_id";

    internal static RunSummary ReadSummary(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetGuid(8));

    /// <summary>A page of runs matching <paramref name="filter"/> (throws <see cref="SearchSyntaxException"/>).</summary>
    /// <remarks>
    /// Each run carries the values of <paramref name="paramKeys"/> and the latest values of <paramref name="metricKeys"/>,
    /// read for the page's runs only (by primary key), so columns cost the same however many runs match. Runs deleted
    /// through the MLflow API are left out unless <paramref name="includeDeleted"/>.
    /// </remarks>
    internal async Task<RunPage?> ListAsync(
        string? filter, string? orderBy, int skip, int take, IReadOnlyList<string> paramKeys, IReadOnlyList<string> metricKeys,
        CancellationToken cancellationToken, bool includeDeleted = false)
    {
        var parameters = new SqlParameters();
        var where = string.IsNullOrWhiteSpace(filter) ? "true" : SearchSqlTranslator.Translate(filter, parameters);
        var order = RunOrder.ToSql(orderBy, parameters);
        if (order is null)
        {
            return null;
        }

        var from = includeDeleted
            ? "FROM runs r JOIN experiments e ON e.id = r.experiment_id"
            : "FROM runs r JOIN experiments e ON e.id = r.experiment_id AND r.deleted_at IS NULL";
        var offset = parameters.Add(skip);
        var limit = parameters.Add(take);
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {SummaryColumns}, count(*) OVER () {from} WHERE {where}
            ORDER BY {order} OFFSET {offset} LIMIT {limit}
            """);
        AddParameters(command, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var runs = new List<RunSummary>();
        long total = -1;
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(ReadSummary(reader));
            total = reader.GetInt64(9);
        }

        if (total < 0)
        {
            // Past the last page (or nothing matches): count separately.
            var countParameters = new SqlParameters();
            var countWhere = string.IsNullOrWhiteSpace(filter) ? "true" : SearchSqlTranslator.Translate(filter, countParameters);
            await using var count = dataSource.CreateCommand($"SELECT count(*) {from} WHERE {countWhere}");
            AddParameters(count, countParameters);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        if (runs.Count > 0 && (paramKeys.Count > 0 || metricKeys.Count > 0))
        {
            runs = await AddColumnsAsync(runs, paramKeys, metricKeys, cancellationToken);
        }

        // Only runs with a parent can be reproductions: a page without any costs no query.
        if (runs.Any(r => r.ParentRunId is not null))
        {
            runs = await AddVerdictsAsync(runs, cancellationToken);
        }

        return new RunPage(runs, total);
    }

    private async Task<List<RunSummary>> AddVerdictsAsync(List<RunSummary> runs, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT run_id, verdict FROM run_reproductions WHERE run_id = ANY($1) AND verdict IS NOT NULL");
        command.Parameters.AddWithValue(runs.Where(r => r.ParentRunId is not null).Select(r => r.Id).ToArray());
        var verdicts = new Dictionary<Guid, string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                verdicts[reader.GetGuid(0)] = reader.GetString(1);
            }
        }

        return runs.Select(r => verdicts.TryGetValue(r.Id, out var verdict) ? r with { Verdict = verdict } : r).ToList();
    }

    private async Task<List<RunSummary>> AddColumnsAsync(
        List<RunSummary> runs, IReadOnlyList<string> paramKeys, IReadOnlyList<string> metricKeys, CancellationToken cancellationToken)
    {
        var ids = runs.Select(r => r.Id).ToArray();
        var @params = runs.ToDictionary(r => r.Id, _ => new Dictionary<string, string>(StringComparer.Ordinal));
        var metrics = runs.ToDictionary(r => r.Id, _ => new Dictionary<string, double>(StringComparer.Ordinal));
        await using var batch = dataSource.CreateBatch();
        void Add(string sql, IReadOnlyList<string> keys)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue(ids);
            command.Parameters.AddWithValue(keys.ToArray());
            batch.BatchCommands.Add(command);
        }

        // An empty key list still runs (and finds nothing): one round trip either way.
        Add("SELECT run_id, key, value FROM params WHERE run_id = ANY($1) AND key = ANY($2)", paramKeys);
        Add("SELECT run_id, key, last_value FROM metric_series WHERE run_id = ANY($1) AND key = ANY($2)", metricKeys);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            @params[reader.GetGuid(0)][reader.GetString(1)] = reader.GetString(2);
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics[reader.GetGuid(0)][reader.GetString(1)] = reader.GetDouble(2);
        }

        return runs.Select(r => r with
        {
            Params = paramKeys.Count > 0 ? @params[r.Id] : null,
            Metrics = metricKeys.Count > 0 ? metrics[r.Id] : null,
        }).ToList();
    }

    internal static void AddParameters(NpgsqlCommand command, SqlParameters parameters)
    {
        foreach (var value in parameters.Values)
        {
            command.Parameters.AddWithValue(value);
        }
    }

    /// <summary>The status of a run; null when there is no such run.</summary>
    public async Task<string?> GetStatusAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT status FROM runs WHERE id = $1");
        command.Parameters.AddWithValue(runId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The run with its tags, params, metadata and latest metrics; null when there is none.</summary>
    public async Task<Run?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue(runId);
            batch.BatchCommands.Add(command);
        }

        Add($"""
            SELECT {SummaryColumns}, r.status_reason, r.heartbeat_at, r.config::text, r.notes, r.cancel_requested_at IS NOT NULL
            FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = $1
            """);
        Add("SELECT key, value FROM run_tags WHERE run_id = $1 ORDER BY key");
        Add("SELECT key, value FROM params WHERE run_id = $1 ORDER BY key");
        Add("SELECT key, value::text FROM run_metadata WHERE run_id = $1 ORDER BY key");
        Add("SELECT key, max_step, last_value, last_epoch, last_timestamp, point_count, min_step FROM metric_series WHERE run_id = $1 ORDER BY key");
        Add($"SELECT {Reproduction.ReproductionStore.Columns} FROM run_reproductions WHERE run_id = $1");

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var summary = ReadSummary(reader);
        var reason = reader.IsDBNull(9) ? null : reader.GetString(9);
        DateTimeOffset? heartbeat = reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10);
        using var config = JsonDocument.Parse(reader.GetString(11));
        var notes = reader.GetString(12);
        var cancelRequested = reader.GetBoolean(13);

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            tags[reader.GetString(0)] = reader.GetString(1);
        }

        var @params = new Dictionary<string, string>(StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            @params[reader.GetString(0)] = reader.GetString(1);
        }

        var metadata = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var value = JsonDocument.Parse(reader.GetString(1));
            metadata[reader.GetString(0)] = value.RootElement.Clone();
        }

        var metrics = new List<MetricLatest>();
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics.Add(ReadLatest(reader));
        }

        await reader.NextResultAsync(cancellationToken);
        var reproduction = await reader.ReadAsync(cancellationToken) ? Reproduction.ReproductionStore.Read(reader) : null;

        return new Run(
            summary.Id, summary.Experiment, summary.Name, summary.Status, reason, summary.CreatedAt, summary.StartedAt,
            summary.EndedAt, heartbeat, summary.WorkerId, summary.ParentRunId, config.RootElement.Clone(), notes,
            cancelRequested, tags, @params, metadata, metrics, reproduction);
    }

    /// <summary>Reads <c>key, max_step, last_value, last_epoch, last_timestamp, point_count, min_step</c>.</summary>
    internal static MetricLatest ReadLatest(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetDouble(3),
        reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(1));
}
