using EarlyBert.Tracker.Client.Experiments;
using Npgsql;

namespace EarlyBert.Tracker.Experiments;

/// <summary>The experiments table, with each experiment's run count.</summary>
public sealed class ExperimentStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string SelectSql =
        "SELECT e.id, e.name, e.description, e.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) FROM experiments e";

    /// <summary>Creates an experiment; null when one of that name exists already.</summary>
    public async Task<Experiment?> CreateAsync(string name, string description, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO experiments (name, description, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id, created_at");
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(description);
        command.Parameters.AddWithValue(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Experiment(reader.GetInt64(0), name, description, reader.GetFieldValue<DateTimeOffset>(1), 0)
            : null;
    }

    /// <summary>Experiments by name; only the one named <paramref name="name"/> when given.</summary>
    public async Task<List<Experiment>> ListAsync(string? name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectSql} WHERE ($1::text IS NULL OR e.name = $1) ORDER BY e.name");
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)name ?? DBNull.Value);
        return await ReadAsync(command, cancellationToken);
    }

    /// <summary>One experiment, or null.</summary>
    public async Task<Experiment?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectSql} WHERE e.id = $1");
        command.Parameters.AddWithValue(id);
        var found = await ReadAsync(command, cancellationToken);
        return found.Count == 1 ? found[0] : null;
    }

    private static async Task<List<Experiment>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var experiments = new List<Experiment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            experiments.Add(new Experiment(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt64(4)));
        }

        return experiments;
    }
}
