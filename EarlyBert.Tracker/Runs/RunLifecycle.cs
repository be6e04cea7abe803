using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
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

/// <summary>
/// Changes of a run's life: creation, updates, claims by workers, heartbeats, cancellation and crash marking, each
/// published as a live event.
/// </summary>
public sealed class RunLifecycle(NpgsqlDataSource dataSource, TimeProvider time, RunEventBroadcaster events, ILogger<RunLifecycle> logger)
{
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
