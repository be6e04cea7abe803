using System.Globalization;
using System.Text.RegularExpressions;
using EarlyBert.Tracker.Search;
using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>MLflow's experiments over the tracker's <c>experiments</c> table (one record, two APIs).</summary>
public sealed partial class MlflowExperimentStore(NpgsqlDataSource dataSource, TimeProvider time, ILogger<MlflowExperimentStore> logger)
{
    private const int MaxNameLength = 250;
    private const int MaxResultsLimit = 50_000;
    private const string Columns = "e.id, e.name, e.created_at, e.deleted_at";
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

    /// <summary>Creates an experiment; its name must be new (deleted ones included, as in MLflow).</summary>
    public async Task<string> CreateAsync(string? name, CancellationToken cancellationToken)
    {
        var checkedName = CheckName(name, "name");
        await using var command = dataSource.CreateCommand(
            "INSERT INTO experiments (name, description, created_at) VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING RETURNING id");
        command.Parameters.AddWithValue(checkedName);
        command.Parameters.AddWithValue(time.GetUtcNow());
        if (await command.ExecuteScalarAsync(cancellationToken) is not long id)
        {
            throw MlflowException.AlreadyExists($"Experiment '{checkedName}' already exists.");
        }

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

    /// <summary>A page of experiments (<c>view_type</c> ACTIVE_ONLY, DELETED_ONLY or ALL), newest first.</summary>
    public async Task<ExperimentsPage> SearchAsync(
        string? viewType, string? filter, long? maxResults, string? pageToken, CancellationToken cancellationToken)
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
        var offset = parameters.Add(skip);
        var limit = parameters.Add(take + 1);
        var experiments = await QueryAsync(
            $"{string.Join(" AND ", where)} ORDER BY e.created_at DESC, e.id OFFSET {offset} LIMIT {limit}", parameters.Values, cancellationToken);
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

        await using var command = dataSource.CreateCommand("UPDATE experiments SET name = $2 WHERE id = $1");
        command.Parameters.AddWithValue(long.Parse(experiment.ExperimentId, CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue(name);
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
            ? Command("UPDATE experiments SET deleted_at = COALESCE(deleted_at, $2) WHERE id = $1", id, now)
            : Command("UPDATE experiments SET deleted_at = NULL WHERE id = $1", id));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Experiment {ExperimentId} {Change} through the MLflow API", id, deleted ? "deleted" : "restored");
    }

    /// <summary>The SQL condition of a view type over an alias with a <c>deleted_at</c> column.</summary>
    internal static string ViewCondition(string alias, string? viewType) => (viewType ?? "ACTIVE_ONLY") switch
    {
        "ACTIVE_ONLY" => $"{alias}.deleted_at IS NULL",
        "DELETED_ONLY" => $"{alias}.deleted_at IS NOT NULL",
        "ALL" => "true",
        var other => throw MlflowException.Invalid($"Invalid view type '{other}': ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };

    // MLflow's experiment filters this API understands: name comparisons joined by "and".
    private static IEnumerable<string> FilterConditions(string? filter, SqlParameters parameters)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            yield break;
        }

        foreach (var clause in AndPattern().Split(filter.Trim()))
        {
            var match = NameClause().Match(clause.Trim());
            if (!match.Success)
            {
                throw MlflowException.Invalid(
                    $"Unsupported experiment filter '{clause.Trim()}': this server filters experiments by name only (name = 'x', !=, LIKE, ILIKE).");
            }

            var op = match.Groups["op"].Value.ToUpperInvariant() switch
            {
                "=" => "=",
                "!=" => "<>",
                "LIKE" => "LIKE",
                _ => "ILIKE",
            };
            yield return $"e.name {op} {parameters.Add(match.Groups["value"].Value.Replace("''", "'", StringComparison.Ordinal))}";
        }
    }

    private async Task<List<MlflowExperiment>> QueryAsync(string where, IReadOnlyList<object> values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM experiments e WHERE {where}");
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var experiments = new List<MlflowExperiment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (id, name, created) = (reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
            DateTimeOffset? deletedAt = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
            var mlflowId = MlflowWire.ExperimentId(id, name);
            experiments.Add(new MlflowExperiment(
                mlflowId, name, $"mlflow-artifacts:/{mlflowId}", deletedAt is null ? MlflowWire.Active : MlflowWire.Deleted,
                MlflowWire.Millis(deletedAt ?? created), MlflowWire.Millis(created), []));
        }

        return experiments;
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

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndPattern();

    [GeneratedRegex(@"^(attributes?\.)?name\s*(?<op>=|!=|like|ilike)\s*'(?<value>(?:[^']|'')*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex NameClause();
}
