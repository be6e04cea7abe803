using System.Text.Json;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Search;
using Npgsql;
using NpgsqlTypes;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's runs over the tracker's own tables: a run created here is an ordinary tracker run (same experiment, name,
/// status, tags, params and metrics), so it shows on the dashboard and compares with trainer runs.
/// </summary>
public sealed class MlflowRunStore(
    NpgsqlDataSource dataSource, MlflowExperimentStore experiments, TimeProvider time, RunEventBroadcaster events, ILogger<MlflowRunStore> logger)
{
    /// <summary>The tag holding a run's name, which MLflow keeps equal to the name.</summary>
    public const string RunNameTag = "mlflow.runName";

    /// <summary>The tag holding the user who created a run.</summary>
    public const string UserTag = "mlflow.user";

    /// <summary>Longest tag value MLflow accepts.</summary>
    public const int MaxTagValueLength = 8000;

    private const int MaxSearchResults = 50_000;

    /// <summary>Creates a running run; the tags go in as given plus the run name's and the user's.</summary>
    public async Task<MlflowRun> CreateAsync(CreateRunRequest request, string? userAgent, CancellationToken cancellationToken)
    {
        var experimentId = await experiments.ResolveAsync(request.ExperimentId ?? MlflowWire.DefaultExperimentId, cancellationToken);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in request.Tags ?? [])
        {
            CheckTag(tag.Key, tag.Value);
            tags[tag.Key!] = tag.Value ?? "";
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var name = !string.IsNullOrEmpty(request.RunName) ? request.RunName
            : tags.TryGetValue(RunNameTag, out var tagged) && tagged.Length > 0 ? tagged
            : $"mlflow-{id.ToString("N")[^8..]}";
        if (name.Length > 250)
        {
            throw MlflowException.Invalid("A run name is at most 250 characters.");
        }

        tags[RunNameTag] = name;
        if (!string.IsNullOrEmpty(request.UserId))
        {
            tags.TryAdd(UserTag, request.UserId);
        }

        var started = request.StartTime is { } startTime ? MlflowWire.FromMillis(startTime, "start_time") : now;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO runs (id, experiment_id, name, status, created_at, started_at, notes)
            SELECT $1, e.id, $3, 'running', $4, $5, '' FROM experiments e WHERE e.id = $2 AND e.deleted_at IS NULL
            """, connection, transaction))
        {
            // No heartbeat: MLflow clients send none, and crash detection only looks at runs that have one.
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(experimentId);
            insert.Parameters.AddWithValue(name);
            insert.Parameters.AddWithValue(now);
            insert.Parameters.AddWithValue(started);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw MlflowException.Invalid($"Could not create run under experiment with ID {request.ExperimentId ?? "0"}: it does not exist or is not active.");
            }
        }

        await RunKeyValueWriter.UpsertTagsAsync(connection, transaction, id, tags, cancellationToken);
        await RunKeyValueWriter.UpsertMetadataAsync(connection, transaction, id, new Dictionary<string, JsonElement>
        {
            ["logged_by"] = JsonSerializer.SerializeToElement("mlflow-rest-api"),
            ["logged_by.user_agent"] = JsonSerializer.SerializeToElement(userAgent ?? ""),
        }, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Created run {RunId} ({Name}) in experiment {ExperimentId} through the MLflow API", id, name, experimentId);
        events.Publish(new RunEvent(RunEvent.StatusChanged, id, RunStatuses.Running, null, now));
        return await GetAsync(id, cancellationToken);
    }

    /// <summary>The run with its latest metrics, params and tags (deleted runs too, as in MLflow).</summary>
    public async Task<MlflowRun> GetAsync(Guid runId, CancellationToken cancellationToken) =>
        (await ReadAsync([runId], cancellationToken)).SingleOrDefault() ?? throw NotFound(runId);

    /// <summary>Changes status, end time or name. MLflow allows any status change (a resumed run goes back to RUNNING).</summary>
    public async Task<MlflowRunInfo> UpdateAsync(UpdateRunRequest request, CancellationToken cancellationToken)
    {
        var runId = MlflowWire.ParseRunId(request.RunId, request.RunUuid);
        string? status = null;
        if (!string.IsNullOrEmpty(request.Status))
        {
            status = MlflowWire.TrackerStatus(request.Status)
                ?? throw MlflowException.Invalid($"Invalid status '{request.Status}': RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.");
            if (status == RunStatuses.Queued)
            {
                // A queued tracker run is work for the trainer's workers, which an MLflow client's run is not.
                throw MlflowException.Invalid("This server does not schedule MLflow runs: SCHEDULED is not accepted by runs/update.");
            }
        }

        if (request.RunName is { Length: > 250 })
        {
            throw MlflowException.Invalid("A run name is at most 250 characters.");
        }

        var now = time.GetUtcNow();
        DateTimeOffset? endTime = request.EndTime is { } end ? MlflowWire.FromMillis(end, "end_time") : null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            UPDATE runs SET
                status = COALESCE($2, status),
                ended_at = CASE WHEN $2 = 'running' THEN NULL
                                WHEN $2 IS NOT NULL THEN COALESCE($3, ended_at, $4)
                                ELSE COALESCE($3, ended_at) END,
                started_at = CASE WHEN $2 = 'running' THEN COALESCE(started_at, $4) ELSE started_at END,
                status_reason = CASE WHEN $2 IS NOT NULL AND $2 <> status THEN 'set through the MLflow API' ELSE status_reason END,
                name = COALESCE(NULLIF($5, ''), name)
            WHERE id = $1
            """, connection, transaction))
        {
            command.Parameters.AddWithValue(runId);
            command.Parameters.AddWithValue(NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
            command.Parameters.AddWithValue(NpgsqlDbType.TimestampTz, (object?)endTime ?? DBNull.Value);
            command.Parameters.AddWithValue(now);
            command.Parameters.AddWithValue(NpgsqlDbType.Text, (object?)request.RunName ?? DBNull.Value);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                throw NotFound(runId);
            }
        }

        if (!string.IsNullOrEmpty(request.RunName))
        {
            await RunKeyValueWriter.UpsertTagsAsync(connection, transaction, runId, new Dictionary<string, string> { [RunNameTag] = request.RunName }, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (status is not null)
        {
            events.Publish(new RunEvent(RunEvent.StatusChanged, runId, status, null, now));
        }

        return (await GetAsync(runId, cancellationToken)).Info;
    }

    /// <summary>Deletes (softly) or restores a run.</summary>
    public async Task SetDeletedAsync(string? runId, bool deleted, CancellationToken cancellationToken)
    {
        var id = MlflowWire.ParseRunId(runId);
        await using var command = dataSource.CreateCommand(
            "UPDATE runs SET deleted_at = CASE WHEN $2 THEN COALESCE(deleted_at, $3) END WHERE id = $1");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(deleted);
        command.Parameters.AddWithValue(time.GetUtcNow());
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw NotFound(id);
        }
    }

    /// <summary>The run's lifecycle: whether it exists and is active (writes to deleted runs are refused, as in MLflow).</summary>
    public async Task RequireActiveAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT deleted_at IS NULL FROM runs WHERE id = $1");
        command.Parameters.AddWithValue(runId);
        switch (await command.ExecuteScalarAsync(cancellationToken))
        {
            case null:
                throw NotFound(runId);
            case false:
                throw MlflowException.Invalid($"The run {MlflowWire.RunId(runId)} must be in the 'active' state. Current state is deleted.");
        }
    }

    /// <summary>Sets the run's name when <paramref name="tags"/> carry <c>mlflow.runName</c>, as MLflow does.</summary>
    public async Task RenameFromTagsAsync(Guid runId, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        if (tags.TryGetValue(RunNameTag, out var name) && name.Length is > 0 and <= 250)
        {
            await using var command = dataSource.CreateCommand("UPDATE runs SET name = $2 WHERE id = $1");
            command.Parameters.AddWithValue(runId);
            command.Parameters.AddWithValue(name);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Deletes a tag; MLflow answers RESOURCE_DOES_NOT_EXIST for a tag the run does not have.</summary>
    public async Task DeleteTagAsync(Guid runId, string key, CancellationToken cancellationToken)
    {
        await RequireActiveAsync(runId, cancellationToken);
        await using var command = dataSource.CreateCommand("DELETE FROM run_tags WHERE run_id = $1 AND key = $2");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(key);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw MlflowException.NotFound($"No tag with name: {key} in run with id {MlflowWire.RunId(runId)}");
        }
    }

    /// <summary>
    /// <c>runs/log-model</c>: appends the model's JSON to the run's <c>mlflow.log-model.history</c> tag (a JSON list),
    /// where MLflow keeps it too.
    /// </summary>
    public async Task AppendModelAsync(Guid runId, string? modelJson, CancellationToken cancellationToken)
    {
        JsonElement model;
        try
        {
            using var document = JsonDocument.Parse(MlflowWire.Required(modelJson, "model_json"));
            model = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw MlflowException.Invalid("'model_json' is not valid JSON.");
        }

        await RequireActiveAsync(runId, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO run_tags (run_id, key, value) VALUES ($1, 'mlflow.log-model.history', jsonb_build_array($2::jsonb)::text)
            ON CONFLICT (run_id, key) DO UPDATE SET value = (
                CASE WHEN jsonb_typeof(run_tags.value::jsonb) = 'array' THEN run_tags.value::jsonb ELSE '[]'::jsonb END || jsonb_build_array($2::jsonb))::text
            """, connection, transaction);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(model.GetRawText());
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A page of runs of the given experiments matching MLflow's filter, in MLflow's order.</summary>
    public async Task<RunsPage> SearchAsync(SearchRunsRequest request, CancellationToken cancellationToken)
    {
        var take = request.MaxResults ?? 1000;
        if (take is < 1 or > MaxSearchResults)
        {
            throw MlflowException.Invalid($"Invalid value {take} for parameter 'max_results' supplied. It must be between 1 and {MaxSearchResults}.");
        }

        var experimentIds = new List<long>();
        foreach (var experimentId in request.ExperimentIds ?? [])
        {
            experimentIds.Add(await experiments.ResolveAsync(experimentId, cancellationToken));
        }

        var skip = MlflowWire.Offset(request.PageToken);
        var parameters = new SqlParameters();
        var filter = MlflowFilter.Parse(request.Filter);
        var where = new List<string>
        {
            $"r.experiment_id = ANY({parameters.Add(experimentIds.ToArray())})",
            MlflowExperimentStore.ViewCondition("r", request.RunViewType),
        };
        if (filter is not null)
        {
            where.Add(SearchSqlTranslator.Translate(filter, parameters));
        }

        var order = MlflowRunOrder.ToSql(request.OrderBy, parameters);
        var offset = parameters.Add(skip);
        var limit = parameters.Add(take + 1);
        await using var command = dataSource.CreateCommand(
            $"SELECT r.id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE {string.Join(" AND ", where)} ORDER BY {order} OFFSET {offset} LIMIT {limit}");
        RunStore.AddParameters(command, parameters);
        var ids = new List<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetGuid(0));
            }
        }

        var more = ids.Count > take;
        var page = more ? ids.Take(take).ToArray() : ids.ToArray();
        var runs = await ReadAsync(page, cancellationToken);
        var byId = runs.ToDictionary(r => r.Info.RunId);
        return new RunsPage(page.Select(id => byId[MlflowWire.RunId(id)]).ToList(), more ? MlflowWire.PageToken(skip + take) : null);
    }

    /// <summary>Checks a tag against MLflow's limits and the tracker's key rule.</summary>
    public static void CheckTag(string? key, string? value)
    {
        var checkedKey = MlflowWire.Required(key, "key");
        if (Http.Keys.Check(checkedKey) is { } problem)
        {
            throw MlflowException.Invalid($"Invalid tag name: {problem}");
        }

        if (value is { Length: > MaxTagValueLength })
        {
            throw MlflowException.Invalid($"Tag value for '{checkedKey}' is {value.Length} characters; the limit is {MaxTagValueLength}.");
        }
    }

    private static MlflowException NotFound(Guid runId) => MlflowException.NotFound($"Run '{MlflowWire.RunId(runId)}' not found");

    // The runs with their data in one round trip: rows, tags, params and latest metrics for all of them.
    private async Task<List<MlflowRun>> ReadAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        await using var batch = dataSource.CreateBatch();
        void Add(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue(ids);
            batch.BatchCommands.Add(command);
        }

        Add("""
            SELECT r.id, r.name, e.id, e.name, r.status, COALESCE(r.started_at, r.created_at), r.ended_at, r.deleted_at IS NOT NULL,
                   (SELECT t.value FROM run_tags t WHERE t.run_id = r.id AND t.key = 'mlflow.user')
            FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ANY($1)
            """);
        Add("SELECT run_id, key, value FROM run_tags WHERE run_id = ANY($1) ORDER BY run_id, key");
        Add("SELECT run_id, key, value FROM params WHERE run_id = ANY($1) ORDER BY run_id, key");
        Add("SELECT run_id, key, last_value, last_timestamp, max_step FROM metric_series WHERE run_id = ANY($1) ORDER BY run_id, key");
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var infos = new Dictionary<Guid, MlflowRunInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            var experimentId = MlflowWire.ExperimentId(reader.GetInt64(2), reader.GetString(3));
            var runId = MlflowWire.RunId(id);
            infos[id] = new MlflowRunInfo(
                runId, runId, reader.GetString(1), experimentId, reader.IsDBNull(8) ? "" : reader.GetString(8),
                MlflowWire.Status(reader.GetString(4)), MlflowWire.Millis(reader.GetFieldValue<DateTimeOffset>(5)),
                reader.IsDBNull(6) ? null : MlflowWire.Millis(reader.GetFieldValue<DateTimeOffset>(6)),
                $"mlflow-artifacts:/{experimentId}/{runId}/artifacts", reader.GetBoolean(7) ? MlflowWire.Deleted : MlflowWire.Active);
        }

        var tags = ids.ToDictionary(id => id, _ => new List<MlflowKeyValue>());
        var @params = ids.ToDictionary(id => id, _ => new List<MlflowKeyValue>());
        var metrics = ids.ToDictionary(id => id, _ => new List<MlflowMetric>());
        foreach (var target in new[] { tags, @params })
        {
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                target[reader.GetGuid(0)].Add(new MlflowKeyValue(reader.GetString(1), reader.GetString(2)));
            }
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics[reader.GetGuid(0)].Add(new MlflowMetric(
                reader.GetString(1), reader.GetDouble(2), MlflowWire.Millis(reader.GetFieldValue<DateTimeOffset>(3)), reader.GetInt64(4)));
        }

        return ids.Where(infos.ContainsKey)
            .Select(id => new MlflowRun(infos[id], new MlflowRunData(metrics[id], @params[id], tags[id])))
            .ToList();
    }
}
