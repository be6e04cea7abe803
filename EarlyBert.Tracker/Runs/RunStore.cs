using System.Text.Json;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Search;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary>Why a run change was refused.</summary>
internal enum RunChangeError
{
    /// <summary>Done.</summary>
    None,

    /// <summary>No such run.</summary>
    NotFound,

    /// <summary>The run's status does not allow it.</summary>
    IllegalTransition,
}

/// <summary>Runs in PostgreSQL: reads, lifecycle changes, claims and crash marking.</summary>
public sealed class RunStore(NpgsqlDataSource dataSource, TimeProvider time, RunEventBroadcaster events, ILogger<RunStore> logger)
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

    /// <summary>Creates a run; the experiment and parent must exist (checked by the caller's validation).</summary>
    internal async Task<(Guid? RunId, string? Problem)> CreateAsync(CreateRun request, string name, string status, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        long experimentId;
        await using (var experiment = new NpgsqlCommand("SELECT id FROM experiments WHERE name = $1", connection, transaction))
        {
            experiment.Parameters.AddWithValue(request.Experiment);
            if (await experiment.ExecuteScalarAsync(cancellationToken) is not long found)
            {
                return (null, $"There is no experiment named '{request.Experiment}'.");
            }

            experimentId = found;
        }

        if (request.ParentRunId is { } parent)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM runs WHERE id = $1", connection, transaction);
            exists.Parameters.AddWithValue(parent);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return (null, $"There is no parent run {parent}.");
            }
        }

        var running = status == RunStatuses.Running;
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO runs (id, experiment_id, name, status, created_at, started_at, heartbeat_at, worker_id, parent_run_id, config, notes)
            VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9::jsonb, $10)
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(experimentId);
            insert.Parameters.AddWithValue(name);
            insert.Parameters.AddWithValue(status);
            insert.Parameters.AddWithValue(now);
            insert.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.TimestampTz, running ? now : DBNull.Value);
            insert.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)request.WorkerId ?? DBNull.Value);
            insert.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Uuid, (object?)request.ParentRunId ?? DBNull.Value);
            insert.Parameters.AddWithValue(request.Config is { } config ? config.GetRawText() : "{}");
            insert.Parameters.AddWithValue(request.Notes ?? "");
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (request.Tags is { Count: > 0 } tags)
        {
            await RunKeyValueWriter.UpsertTagsAsync(connection, transaction, id, tags, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Created run {RunId} ({Name}) in experiment {Experiment} as {Status}", id, name, request.Experiment, status);
        events.Publish(new RunEvent(RunEvent.StatusChanged, id, status, null, now));
        return (id, null);
    }

    /// <summary>Applies <paramref name="update"/>; the status change must be legal (the same status again is a no-op).</summary>
    internal async Task<(RunChangeError Error, string? Detail)> UpdateAsync(Guid runId, UpdateRun update, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await LockStatusAsync(connection, transaction, runId, cancellationToken);
        if (current is null)
        {
            return (RunChangeError.NotFound, $"There is no run {runId}.");
        }

        if (update.Config is not null && RunStatuses.IsTerminal(current))
        {
            return (RunChangeError.IllegalTransition, $"The config of a {current} run cannot change.");
        }

        var newStatus = update.Status is { } status && status != current ? status : null;
        if (newStatus is not null && !RunStatuses.CanMove(current, newStatus))
        {
            return (RunChangeError.IllegalTransition, $"A {current} run cannot become {newStatus}.");
        }

        await using (var command = new NpgsqlCommand(
            """
            UPDATE runs SET
                status = COALESCE($2, status),
                status_reason = CASE WHEN $2 IS NOT NULL OR $3 IS NOT NULL THEN COALESCE($3, status_reason) ELSE status_reason END,
                notes = COALESCE($4, notes),
                config = COALESCE($6::jsonb, config),
                started_at = CASE WHEN $2 = 'running' THEN $5 ELSE started_at END,
                heartbeat_at = CASE WHEN $2 = 'running' THEN $5 ELSE heartbeat_at END,
                ended_at = CASE WHEN $2 IN ('finished', 'failed', 'crashed', 'cancelled') THEN $5 ELSE ended_at END
            WHERE id = $1
            """, connection, transaction))
        {
            command.Parameters.AddWithValue(runId);
            command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)newStatus ?? DBNull.Value);
            command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)update.StatusReason ?? DBNull.Value);
            command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)update.Notes ?? DBNull.Value);
            command.Parameters.AddWithValue(now);
            command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, update.Config is { } config ? config.GetRawText() : DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (update.Tags is { Count: > 0 } tags)
        {
            await RunKeyValueWriter.UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (newStatus is not null)
        {
            logger.LogInformation("Run {RunId} moved from {From} to {To}", runId, current, newStatus);
            events.Publish(new RunEvent(RunEvent.StatusChanged, runId, newStatus, null, now));
        }

        return (RunChangeError.None, null);
    }

    private static async Task<string?> LockStatusAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT status FROM runs WHERE id = $1 FOR NO KEY UPDATE", connection, transaction);
        command.Parameters.AddWithValue(runId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Gives the oldest queued run to <paramref name="workerId"/> and marks it running. Concurrent claims skip rows
    /// another claim has locked, so no run is ever given to two workers. Null when no run is queued.
    /// </summary>
    internal async Task<Guid?> ClaimAsync(string workerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE runs SET status = 'running', worker_id = $1, started_at = $2, heartbeat_at = $2
            WHERE id = (
                SELECT id FROM runs WHERE status = 'queued' AND cancel_requested_at IS NULL
                ORDER BY created_at, id
                FOR NO KEY UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING id
            """);
        command.Parameters.AddWithValue(workerId);
        command.Parameters.AddWithValue(now);
        if (await command.ExecuteScalarAsync(cancellationToken) is not Guid runId)
        {
            return null;
        }

        logger.LogInformation("Worker {WorkerId} claimed run {RunId}", workerId, runId);
        events.Publish(new RunEvent(RunEvent.StatusChanged, runId, RunStatuses.Running, null, now));
        return runId;
    }

    /// <summary>Records a heartbeat of a running run; null when there is no such run.</summary>
    internal async Task<RunHeartbeat?> HeartbeatAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE runs SET heartbeat_at = CASE WHEN status = 'running' THEN $2 ELSE heartbeat_at END
            WHERE id = $1
            RETURNING status, cancel_requested_at IS NOT NULL, heartbeat_at
            """);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new RunHeartbeat(runId, reader.GetString(0), reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    /// <summary>
    /// Cancels a queued run at once; for a running run records the request, which its worker sees in its next
    /// heartbeat answer and acknowledges by moving the run to cancelled. Ended runs cannot be cancelled (a
    /// cancelled one again is a no-op).
    /// </summary>
    internal async Task<(RunChangeError Error, string? Detail)> CancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var current = await LockStatusAsync(connection, transaction, runId, cancellationToken);
        switch (current)
        {
            case null:
                return (RunChangeError.NotFound, $"There is no run {runId}.");
            case RunStatuses.Cancelled:
                return (RunChangeError.None, null);
            case RunStatuses.Queued or RunStatuses.Running:
                break;
            default:
                return (RunChangeError.IllegalTransition, $"The run has ended ({current}) and cannot be cancelled.");
        }

        var queued = current == RunStatuses.Queued;
        await using (var command = new NpgsqlCommand(
            queued
                ? "UPDATE runs SET status = 'cancelled', status_reason = 'cancelled before it started', cancel_requested_at = $2, ended_at = $2 WHERE id = $1"
                : "UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, $2) WHERE id = $1",
            connection, transaction))
        {
            command.Parameters.AddWithValue(runId);
            command.Parameters.AddWithValue(now);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Cancellation of run {RunId} requested ({Status})", runId, current);
        if (queued)
        {
            events.Publish(new RunEvent(RunEvent.StatusChanged, runId, RunStatuses.Cancelled, null, now));
        }

        return (RunChangeError.None, null);
    }

    /// <summary>Marks running runs whose last heartbeat is older than <paramref name="timeout"/> as crashed.</summary>
    public async Task<IReadOnlyList<Guid>> MarkCrashedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE runs SET status = 'crashed', ended_at = $2,
                status_reason = 'no heartbeat for ' || $3 || ' s (last heartbeat at ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')'
            WHERE status = 'running' AND heartbeat_at < $1
            RETURNING id, worker_id
            """);
        command.Parameters.AddWithValue(now - timeout);
        command.Parameters.AddWithValue(now);
        command.Parameters.AddWithValue(((long)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var crashed = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var runId = reader.GetGuid(0);
            crashed.Add(runId);
            logger.LogWarning("Run {RunId} of worker {WorkerId} sent no heartbeat for {Timeout}; marked crashed",
                runId, reader.IsDBNull(1) ? null : reader.GetString(1), timeout);
            events.Publish(new RunEvent(RunEvent.StatusChanged, runId, RunStatuses.Crashed, null, now));
        }

        await reader.CloseAsync();
        if (crashed.Count > 0)
        {
            await RequeueAsync(crashed, now, cancellationToken);
        }

        return crashed;
    }

    /// <summary>
    /// Puts crashed runs back in the queue while their config's <c>training.retries</c> allows (and nobody asked to
    /// cancel them); the next worker resumes them from their last checkpoint.
    /// </summary>
    private async Task RequeueAsync(List<Guid> crashed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            UPDATE runs SET status = 'queued', worker_id = NULL, ended_at = NULL, retries_used = retries_used + 1,
                status_reason = status_reason || '; re-queued, retry ' || (retries_used + 1) || ' of ' || (config->'training'->>'retries')
            WHERE id = ANY($1) AND status = 'crashed' AND cancel_requested_at IS NULL
              AND jsonb_typeof(config->'training'->'retries') = 'number'
              AND retries_used < (config->'training'->>'retries')::numeric
            RETURNING id
            """);
        command.Parameters.AddWithValue(crashed.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var runId = reader.GetGuid(0);
            logger.LogWarning("Run {RunId} re-queued after its crash", runId);
            events.Publish(new RunEvent(RunEvent.StatusChanged, runId, RunStatuses.Queued, null, now));
        }
    }
}
