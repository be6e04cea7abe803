using System.Text.Json;
using EarlyBert.Recipes.Reproduction;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Runs;
using Npgsql;
using NpgsqlTypes;

namespace EarlyBert.Tracker.Reproduction;

/// <summary>
/// Reproductions in PostgreSQL (<c>run_reproductions</c>): creating one beside its queued run, and judging it with
/// <see cref="ReproductionVerdict"/> once it has ended.
/// </summary>
internal sealed class ReproductionStore(
    NpgsqlDataSource dataSource, RunQueries runs, RunEventBroadcaster events, TimeProvider time, ILogger<ReproductionStore> logger)
{
    /// <summary>
    /// Judges <paramref name="runId"/> if it is a reproduction that has ended. A failure is logged, not thrown: the
    /// run's end is recorded already, and <c>GET …/reproduction</c> judges an unjudged reproduction again.
    /// </summary>
    public async Task JudgeQuietlyAsync(Guid runId, CancellationToken cancellationToken)
    {
        try
        {
            await JudgeAsync(runId, cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or JsonException or InvalidOperationException)
        {
            logger.LogError(exception, "Reproduction {RunId} could not be judged", runId);
        }
    }

    /// <summary>The columns <see cref="Read"/> reads from <c>run_reproductions</c>.</summary>
    internal const string Columns =
        "parent_run_id, overrides::text, verdict, description, tolerance, max_relative_difference, first_divergence::text, " +
        "precondition, environment_differences::text, judged_at";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Reads <see cref="Columns"/> starting at column <paramref name="first"/>.</summary>
    internal static RunReproduction Read(NpgsqlDataReader reader, int first = 0)
    {
        string? Text(int i) => reader.IsDBNull(first + i) ? null : reader.GetString(first + i);
        double? Number(int i) => reader.IsDBNull(first + i) ? null : reader.GetDouble(first + i);
        var environment = JsonSerializer.Deserialize<List<ReproductionDifference>>(reader.GetString(first + 8), Json)!;
        return new RunReproduction(
            reader.GetGuid(first),
            JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(first + 1), Json)!,
            Text(2),
            Text(3),
            Number(4),
            Number(5),
            Text(6) is { } divergence ? JsonSerializer.Deserialize<ReproductionDivergence>(divergence, Json) : null,
            Text(7),
            environment,
            EnvironmentNote(environment),
            reader.IsDBNull(first + 9) ? null : reader.GetFieldValue<DateTimeOffset>(first + 9));
    }

    /// <summary>
    /// Creates the queued reproduction of <paramref name="parent"/> with <paramref name="config"/> and its row in one
    /// transaction, so no worker can claim it before it is known to be a reproduction.
    /// </summary>
    public async Task<Guid> CreateAsync(Run parent, string config, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var notes = overrides.Count == 0
            ? $"Reproduction of run {parent.Id}."
            : $"Reproduction of run {parent.Id} with {string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"))}.";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO runs (id, experiment_id, name, status, created_at, parent_run_id, config, notes)
            SELECT $1, experiment_id, $2, 'queued', $3, id, $4::jsonb, $5 FROM runs WHERE id = $6
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue($"{parent.Name}-reproduction");
            insert.Parameters.AddWithValue(now);
            insert.Parameters.AddWithValue(config);
            insert.Parameters.AddWithValue(notes);
            insert.Parameters.AddWithValue(parent.Id);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = new NpgsqlCommand(
            "INSERT INTO run_reproductions (run_id, parent_run_id, overrides) VALUES ($1, $2, $3::jsonb)", connection, transaction))
        {
            insert.Parameters.AddWithValue(id);
            insert.Parameters.AddWithValue(parent.Id);
            insert.Parameters.AddWithValue(JsonSerializer.Serialize(overrides, Json));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Queued run {RunId} reproducing run {ParentRunId} with {OverrideCount} overrides", id, parent.Id, overrides.Count);
        events.Publish(new RunEvent(RunEvent.StatusChanged, id, RunStatuses.Queued, null, now));
        return id;
    }

    /// <summary>
    /// Judges the reproduction <paramref name="runId"/> if it has ended (again if it was judged before: the answer
    /// is the same); does nothing for a run that is no reproduction or has not ended.
    /// </summary>
    public async Task JudgeAsync(Guid runId, CancellationToken cancellationToken)
    {
        var child = await runs.GetAsync(runId, cancellationToken);
        if (child?.Reproduction is not { } reproduction || !RunStatuses.IsTerminal(child.Status))
        {
            return;
        }

        var parent = (await runs.GetAsync(reproduction.ParentRunId, cancellationToken))!;
        var parentMetadata = Strings(parent.Metadata);
        var childMetadata = Strings(child.Metadata);
        var environment = ReproductionPreconditions.EnvironmentDifferences(parentMetadata, childMetadata)
            .Select(d => new ReproductionDifference(d.Key, d.Parent, d.Child)).ToList();
        var hashesKnown = ReproductionPreconditions.HashKeys.Any(childMetadata.ContainsKey);
        var mismatches = hashesKnown ? ReproductionPreconditions.HashMismatches(parentMetadata, childMetadata) : [];
        var precondition = !hashesKnown ? null : mismatches.Count > 0 ? ReproductionPreconditions.DescribeMismatches(mismatches) : "passed";

        string verdictName;
        string description;
        double? tolerance = null;
        double? max = null;
        ReproductionDivergence? divergence = null;
        if (mismatches.Count > 0)
        {
            (verdictName, description) = (ReproductionVerdicts.NotReproduced, precondition!);
        }
        else if (child.Status != RunStatuses.Finished)
        {
            (verdictName, description) = (ReproductionVerdicts.NotReproduced,
                $"not reproduced: the reproduction {child.Status}{(child.StatusReason is { } reason ? $" ({reason})" : "")}");
        }
        else
        {
            var verdict = await JudgeMetricsAsync(parent, child, cancellationToken);
            (verdictName, description, tolerance, max) = (verdict.Name, verdict.Describe(), verdict.Tolerance, verdict.MaxRelativeDifference);
            divergence = verdict.FirstDivergence is { } d ? new ReproductionDivergence(d.Step, d.Metric, d.ParentValue, d.ChildValue, d.RelativeDifference) : null;
        }

        await using var command = dataSource.CreateCommand(
            """
            UPDATE run_reproductions SET verdict = $2, description = $3, tolerance = $4, max_relative_difference = $5,
                first_divergence = $6::jsonb, precondition = $7, environment_differences = $8::jsonb, judged_at = $9
            WHERE run_id = $1
            """);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(verdictName);
        command.Parameters.AddWithValue(description);
        command.Parameters.AddWithValue(NpgsqlDbType.Double, (object?)tolerance ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlDbType.Double, (object?)max ?? DBNull.Value);
        command.Parameters.AddWithValue(NpgsqlDbType.Text, divergence is null ? DBNull.Value : JsonSerializer.Serialize(divergence, Json));
        command.Parameters.AddWithValue(NpgsqlDbType.Text, (object?)precondition ?? DBNull.Value);
        command.Parameters.AddWithValue(JsonSerializer.Serialize(environment, Json));
        command.Parameters.AddWithValue(time.GetUtcNow());
        await command.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Reproduction {RunId} of run {ParentRunId}: {Verdict}", runId, parent.Id, description);
    }

    /// <summary>
    /// The verdict from both runs' compared metrics. While the reproduction still runs, the parent is compared only
    /// up to the reproduction's last step of each metric (what a live chart shows).
    /// </summary>
    public async Task<ReproductionVerdict> JudgeMetricsAsync(Run parent, Run child, CancellationToken cancellationToken)
    {
        var parentPoints = await ReadComparedAsync(parent, cancellationToken);
        var childPoints = await ReadComparedAsync(child, cancellationToken);
        var ended = RunStatuses.IsTerminal(child.Status);
        if (!ended)
        {
            var reached = childPoints.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Max(p => p.Step), StringComparer.Ordinal);
            parentPoints = parentPoints.Where(p => reached.TryGetValue(p.Key, out var last) && p.Step <= last).ToList();
        }

        return ReproductionVerdict.Judge(parentPoints, childPoints, Tolerance(child.Config), parentComplete: ended && parent.Status == RunStatuses.Finished);
    }

    /// <summary>The reproduction's <c>reproduction.tolerance</c>, or the default for configs written before it existed.</summary>
    internal static double Tolerance(JsonElement config) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty("reproduction", out var section) && section.ValueKind == JsonValueKind.Object
        && section.TryGetProperty("tolerance", out var tolerance) && tolerance.ValueKind == JsonValueKind.Number
            ? tolerance.GetDouble()
            : ReproductionVerdict.DefaultTolerance;

    private async Task<List<MetricValue>> ReadComparedAsync(Run run, CancellationToken cancellationToken)
    {
        var keys = run.Metrics.Select(m => m.Key).Where(ReproductionVerdict.IsCompared).ToArray();
        var points = new List<MetricValue>();
        if (keys.Length == 0)
        {
            return points;
        }

        await using var command = dataSource.CreateCommand(
            "SELECT s.key, p.step, p.value FROM metric_series s JOIN metric_points p ON p.series_id = s.id WHERE s.run_id = $1 AND s.key = ANY($2)");
        command.Parameters.AddWithValue(run.Id);
        command.Parameters.AddWithValue(keys);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new MetricValue(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
        }

        return points;
    }

    /// <summary>Metadata as text: strings as they are, other JSON values as their JSON.</summary>
    internal static Dictionary<string, string> Strings(IReadOnlyDictionary<string, JsonElement> metadata) =>
        metadata.ToDictionary(m => m.Key, m => m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText(), StringComparer.Ordinal);

    private static string? EnvironmentNote(IReadOnlyList<ReproductionDifference> differences) =>
        ReproductionPreconditions.DescribeEnvironment(differences.Select(d => new MetadataDifference(d.Key, d.Parent, d.Child)).ToList());
}
