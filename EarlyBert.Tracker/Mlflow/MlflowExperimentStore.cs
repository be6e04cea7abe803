using System.Globalization;
using EarlyBert.Tracker.Search;
using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>MLflow's experiments over the tracker's <c>experiments</c> table (one record, two APIs).</summary>
public sealed class MlflowExperimentStore(NpgsqlDataSource dataSource, TimeProvider time, ILogger<MlflowExperimentStore> logger)
{
    private const int MaxNameLength = 250;
    private const int MaxResultsLimit = 50_000;
    private const string Columns = "e.id, e.name, e.created_at, e.deleted_at, e.updated_at";

    /// <summary>MLflow's experiment id as an SQL expression over <c>experiments e</c>, for ordering: the Default is 0.</summary>
    internal const string IdOrder = $"CASE WHEN e.name = '{MlflowWire.DefaultExperimentName}' THEN 0 ELSE e.id END";

    // MLflow's last_update_time: a rename, delete or restore sets it.
    private const string LastUpdate = "COALESCE(e.updated_at, e.created_at)";
    private volatile bool defaultExists;

    /// <summary>The tracker id of MLflow's experiment id; "0" is the Default experiment, created when first asked for.</summary>
    public async Task<long> ResolveAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var text = MlflowWire.Required(experimentId, "experiment_id");
        if (text == MlflowWire.DefaultExperimentId)
        {
            return await EnsureDefaultAsync(cancellationToken);
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw MlflowException.NotFound($"No Experiment with id={text} exists");
        }

        return id;
    }

    /// <summary>The tracker id of the Default experiment, created if missing.</summary>
    public async Task<long> EnsureDefaultAsync(CancellationToken cancellationToken)
    {
        if (!defaultExists)
        {
            await using var insert = dataSource.CreateCommand(
                "INSERT INTO experiments (name, description, created_at) VALUES ($1, 'MLflow''s default experiment', $2) ON CONFLICT (name) DO NOTHING");
            insert.Parameters.AddWithValue(MlflowWire.DefaultExperimentName);
            insert.Parameters.AddWithValue(time.GetUtcNow());
            await insert.ExecuteNonQueryAsync(cancellationToken);
            defaultExists = true;
        }

        await using var select = dataSource.CreateCommand("SELECT id FROM experiments WHERE name = $1");
        select.Parameters.AddWithValue(MlflowWire.DefaultExperimentName);
        if (await select.ExecuteScalarAsync(cancellationToken) is long id)
        {
            return id;
        }

        // Renamed away through the tracker since: create it again.
        defaultExists = false;
        return await EnsureDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Creates an experiment with its tags (a later tag of the same key wins); its name must be new (deleted ones
    /// included, as in MLflow).
    /// </summary>
    public async Task<string> CreateAsync(string? name, IReadOnlyList<MlflowKeyValue>? tags, CancellationToken cancellationToken)
    {
        var checkedName = CheckName(name, "name");
        var tagValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? [])
        {
            MlflowRunStore.CheckTag(tag.Key, tag.Value);
            tagValues[tag.Key!] = tag.Value ?? "";
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long id;
        await using (var command = new NpgsqlCommand(
            "INSERT INTO experiments (name, description, created_at) VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING RETURNING id", connection, transaction))
        {
            command.Parameters.AddWithValue(checkedName);
            command.Parameters.AddWithValue(time.GetUtcNow());
            id = await command.ExecuteScalarAsync(cancellationToken) is long created
                ? created
                : throw MlflowException.AlreadyExists($"Experiment '{checkedName}' already exists.");
        }

        if (tagValues.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO experiment_tags (experiment_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS t (k, v)", connection, transaction);
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(tagValues.Keys.ToArray());
            insert.Parameters.AddWithValue(tagValues.Values.ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Created experiment {ExperimentId} {Name} through the MLflow API", id, checkedName);
        return MlflowWire.ExperimentId(id, checkedName);
    }

    /// <summary>The experiment by MLflow id; deleted ones too.</summary>
    public async Task<MlflowExperiment> GetAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var id = await ResolveAsync(experimentId, cancellationToken);
        var found = await QueryAsync("e.id = $1", [id], cancellationToken);
        return found.Count == 1 ? found[0] : throw MlflowException.NotFound($"No Experiment with id={experimentId} exists");
    }

    /// <summary>The experiment by name; deleted ones too.</summary>
    public async Task<MlflowExperiment> GetByNameAsync(string? name, CancellationToken cancellationToken)
    {
        var text = MlflowWire.Required(name, "experiment_name");
        if (text == MlflowWire.DefaultExperimentName)
        {
            await EnsureDefaultAsync(cancellationToken);
        }

        var found = await QueryAsync("e.name = $1", [text], cancellationToken);
        return found.Count == 1 ? found[0] : throw MlflowException.NotFound($"Could not find experiment with name '{text}'");
    }

    /// <summary>
    /// A page of experiments (<c>view_type</c> ACTIVE_ONLY, DELETED_ONLY or ALL) matching MLflow's experiment filter, in
    /// the <c>order_by</c> clauses' order (default: newest first, then by id).
    /// </summary>
    public async Task<ExperimentsPage> SearchAsync(
        string? viewType, string? filter, IReadOnlyList<string>? orderBy, long? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        await EnsureDefaultAsync(cancellationToken);
        var take = maxResults ?? 1000;
        if (take is < 1 or > MaxResultsLimit)
        {
            throw MlflowException.Invalid($"Invalid value {take} for parameter 'max_results' supplied. It must be between 1 and {MaxResultsLimit}.");
        }

        var skip = MlflowWire.Offset(pageToken);
        var parameters = new SqlParameters();
        var where = new List<string> { ViewCondition("e", viewType) };
        where.AddRange(FilterConditions(filter, parameters));
        var order = OrderBy(orderBy);
        var offset = parameters.Add(skip);
        var limit = parameters.Add(take + 1);
        var experiments = await QueryAsync(
            $"{string.Join(" AND ", where)} ORDER BY {order} OFFSET {offset} LIMIT {limit}", parameters.Values, cancellationToken);
        var more = experiments.Count > take;
        return new ExperimentsPage(more ? experiments.Take((int)take).ToList() : experiments, more ? MlflowWire.PageToken(skip + take) : null);
    }

    /// <summary>Renames an experiment (not the Default, whose name is what makes it id 0).</summary>
    public async Task RenameAsync(string? experimentId, string? newName, CancellationToken cancellationToken)
    {
        var experiment = await GetAsync(experimentId, cancellationToken);
        var name = CheckName(newName, "new_name");
        if (experiment.ExperimentId == MlflowWire.DefaultExperimentId || name == MlflowWire.DefaultExperimentName)
        {
            throw MlflowException.Invalid("The Default experiment keeps its name, and no other experiment can take it.");
        }

        if (experiment.LifecycleStage == MlflowWire.Deleted)
        {
            throw MlflowException.Invalid("Cannot rename a non-active experiment.");
        }

        await using var command = dataSource.CreateCommand("UPDATE experiments SET name = $2, updated_at = $3 WHERE id = $1");
        command.Parameters.AddWithValue(long.Parse(experiment.ExperimentId, CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(time.GetUtcNow());
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw MlflowException.AlreadyExists($"Experiment '{name}' already exists.");
        }
    }

    /// <summary>
    /// Deletes (softly) or restores an experiment and, as MLflow does, its runs: a restore brings back the runs the
    /// experiment's deletion deleted (same instant), not those deleted on their own before.
    /// </summary>
    public async Task SetDeletedAsync(string? experimentId, bool deleted, CancellationToken cancellationToken)
    {
        var experiment = await GetAsync(experimentId, cancellationToken);
        if (experiment.ExperimentId == MlflowWire.DefaultExperimentId && deleted)
        {
            throw MlflowException.Invalid("Cannot delete the default experiment '0'. This is an internally reserved experiment.");
        }

        var id = await ResolveAsync(experiment.ExperimentId, cancellationToken);
        await using var batch = dataSource.CreateBatch();
        var now = time.GetUtcNow();
        batch.BatchCommands.Add(deleted
            ? Command("UPDATE runs SET deleted_at = $2 WHERE experiment_id = $1 AND deleted_at IS NULL", id, now)
            : Command("UPDATE runs SET deleted_at = NULL WHERE experiment_id = $1 AND deleted_at = (SELECT deleted_at FROM experiments WHERE id = $1)", id));
        batch.BatchCommands.Add(deleted
            ? Command("UPDATE experiments SET deleted_at = COALESCE(deleted_at, $2), updated_at = $2 WHERE id = $1", id, now)
            : Command("UPDATE experiments SET deleted_at = NULL, updated_at = $2 WHERE id = $1", id, now));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Experiment {ExperimentId} {Change} through the MLflow API", id, deleted ? "deleted" : "restored");
    }

    /// <summary>Sets (or overwrites) a tag of an active experiment, as <c>experiments/set-experiment-tag</c>.</summary>
    public async Task SetTagAsync(string? experimentId, string? key, string? value, CancellationToken cancellationToken)
    {
        MlflowRunStore.CheckTag(key, value);
        var id = await ActiveIdAsync(experimentId, cancellationToken);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO experiment_tags (experiment_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (experiment_id, key) DO UPDATE SET value = EXCLUDED.value");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(key!);
        command.Parameters.AddWithValue(value ?? "");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes a tag of an active experiment; a key it does not have is <c>RESOURCE_DOES_NOT_EXIST</c>, as in MLflow.</summary>
    public async Task DeleteTagAsync(string? experimentId, string? key, CancellationToken cancellationToken)
    {
        var checkedKey = MlflowWire.Required(key, "key");
        var id = await ActiveIdAsync(experimentId, cancellationToken);
        await using var command = dataSource.CreateCommand("DELETE FROM experiment_tags WHERE experiment_id = $1 AND key = $2");
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(checkedKey);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw MlflowException.NotFound($"No tag with name: {checkedKey} in experiment with id {experimentId}");
        }
    }

    // The tracker id of an experiment that exists and is not deleted (MLflow's words when it is).
    private async Task<long> ActiveIdAsync(string? experimentId, CancellationToken cancellationToken)
    {
        var experiment = await GetAsync(experimentId, cancellationToken);
        if (experiment.LifecycleStage != MlflowWire.Active)
        {
            throw MlflowException.Invalid(
                $"The experiment {experiment.ExperimentId} must be in the 'active' state. Current state is {experiment.LifecycleStage}.");
        }

        return await ResolveAsync(experiment.ExperimentId, cancellationToken);
    }

    /// <summary>The SQL condition of a view type over an alias with a <c>deleted_at</c> column.</summary>
    internal static string ViewCondition(string alias, string? viewType) => (viewType ?? "ACTIVE_ONLY") switch
    {
        "ACTIVE_ONLY" => $"{alias}.deleted_at IS NULL",
        "DELETED_ONLY" => $"{alias}.deleted_at IS NOT NULL",
        "ALL" => "true",
        var other => throw MlflowException.Invalid($"Invalid view type '{other}': ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };

    // MLflow's experiment filter: name, creation_time, last_update_time and tags.<key>, clauses joined by "and".
    private static IEnumerable<string> FilterConditions(string? filter, SqlParameters parameters)
    {
        foreach (var clause in MlflowFilter.ParseClauses(filter))
        {
            var value = clause.Values[0];
            if (clause.Scope == "tags")
            {
                var op = StringOperator(clause);
                yield return $"EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.id AND t.key = {parameters.Add(clause.Name)} " +
                    $"AND t.value {op} {parameters.Add(value.Text)})";
            }
            else if (clause.Scope == FieldRef.Attribute && clause.Name == "name")
            {
                yield return $"e.name {StringOperator(clause)} {parameters.Add(value.Text)}";
            }
            else if (clause.Scope == FieldRef.Attribute && clause.Name is "creation_time" or "last_update_time")
            {
                if (clause.Op is not ("=" or "!=" or "<" or "<=" or ">" or ">=") || !value.IsNumber)
                {
                    throw MlflowFilter.Error($"{clause.Name} compares with a number of epoch milliseconds by =, !=, <, <=, > or >=");
                }

                var column = clause.Name == "creation_time" ? "e.created_at" : LastUpdate;
                yield return $"floor(extract(epoch FROM {column}) * 1000)::bigint {clause.Op} {parameters.Add((long)value.Number)}";
            }
            else
            {
                throw MlflowFilter.Error(
                    $"experiments filter by name, creation_time, last_update_time and tags.<key>, not '{(clause.Scope == FieldRef.Attribute ? "" : clause.Scope + ".")}{clause.Name}'");
            }
        }
    }

    // =, !=, LIKE and ILIKE with a quoted string: what MLflow allows for names and tags.
    private static string StringOperator(MlflowClause clause) =>
        clause.Values[0].IsNumber ? throw MlflowFilter.Error($"{clause.Name} compares with a quoted string")
        : clause.Op switch
        {
            "=" => "=",
            "!=" => "<>",
            "like" => "LIKE",
            "ilike" => "ILIKE",
            _ => throw MlflowFilter.Error($"{clause.Name} compares by =, !=, LIKE or ILIKE, not '{clause.Op}'"),
        };

    // MLflow's order: the clauses, then the experiment id (descending) unless a clause named it.
    private static string OrderBy(IReadOnlyList<string>? orderBy)
    {
        var clauses = orderBy is { Count: > 0 } ? orderBy : ["creation_time DESC", "experiment_id ASC"];
        var keys = new List<string>();
        var byId = false;
        foreach (var text in clauses)
        {
            var clause = MlflowFilter.ParseOrderClause(text);
            var expression = (clause.Scope == FieldRef.Attribute ? clause.Name : null) switch
            {
                "name" => "e.name",
                "experiment_id" => IdOrder,
                "creation_time" => "e.created_at",
                "last_update_time" => LastUpdate,
                _ => null,
            } ?? throw MlflowException.Invalid(
                $"Invalid order_by clause '{text}': experiments order by name, experiment_id, creation_time or last_update_time.");
            byId |= expression == IdOrder;
            keys.Add($"{expression} {(clause.Ascending ? "ASC" : "DESC")}");
        }

        if (!byId)
        {
            keys.Add($"{IdOrder} DESC");
        }

        return string.Join(", ", keys);
    }

    private async Task<List<MlflowExperiment>> QueryAsync(string where, IReadOnlyList<object> values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM experiments e WHERE {where}");
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        var rows = new List<(long Id, string Name, DateTimeOffset Created, bool Deleted, DateTimeOffset? Updated)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), !reader.IsDBNull(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
            }
        }

        var tags = await ReadTagsAsync(rows.Select(r => r.Id).ToArray(), cancellationToken);
        return rows.Select(row =>
        {
            var mlflowId = MlflowWire.ExperimentId(row.Id, row.Name);
            return new MlflowExperiment(
                mlflowId, row.Name, $"mlflow-artifacts:/{mlflowId}", row.Deleted ? MlflowWire.Deleted : MlflowWire.Active,
                MlflowWire.Millis(row.Updated ?? row.Created), MlflowWire.Millis(row.Created),
                tags.TryGetValue(row.Id, out var experimentTags) ? experimentTags : []);
        }).ToList();
    }

    // The tags of the experiments, sorted by key, in one round trip.
    private async Task<Dictionary<long, List<MlflowKeyValue>>> ReadTagsAsync(long[] ids, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<long, List<MlflowKeyValue>>();
        if (ids.Length == 0)
        {
            return tags;
        }

        await using var command = dataSource.CreateCommand(
            "SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id = ANY($1) ORDER BY experiment_id, key");
        command.Parameters.AddWithValue(ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            if (!tags.TryGetValue(id, out var list))
            {
                tags[id] = list = [];
            }

            list.Add(new MlflowKeyValue(reader.GetString(1), reader.GetString(2)));
        }

        return tags;
    }

    private static string CheckName(string? name, string field)
    {
        var text = MlflowWire.Required(name, field);
        return text.Length > MaxNameLength || text.Any(char.IsControl)
            ? throw MlflowException.Invalid($"'{field}' is at most {MaxNameLength} characters without control characters.")
            : text;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        return command;
    }
}
