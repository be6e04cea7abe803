using EarlyBert.Tracker.Client.Experiments;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace EarlyBert.Tracker.Experiments;

/// <summary>Endpoints over experiments.</summary>
public static class ExperimentsApi
{
    private const int MaxNameLength = 250;
    private const int MaxDescriptionLength = 10_000;

    /// <summary>Maps <c>/api/experiments</c>.</summary>
    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/experiments").WithTags("Experiments");
        group.MapPost("/", CreateAsync).WithName("CreateExperiment").WithSummary("Creates an experiment; its name must be new.");
        group.MapGet("/", ListAsync).WithName("ListExperiments").WithSummary("Lists experiments by name, optionally only the one named.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetExperiment").WithSummary("Returns one experiment.");
        return app;
    }

    private static async Task<Results<Created<Experiment>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateExperiment request, NpgsqlDataSource dataSource, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            return Problems.Invalid("name", $"An experiment name is 1 to {MaxNameLength} characters without control characters.");
        }

        if (request.Description is { Length: > MaxDescriptionLength })
        {
            return Problems.Invalid("description", $"A description is at most {MaxDescriptionLength} characters.");
        }

        await using var command = dataSource.CreateCommand(
            "INSERT INTO experiments (name, description, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id, created_at");
        command.Parameters.AddWithValue(name);
        command.Parameters.AddWithValue(request.Description ?? "");
        command.Parameters.AddWithValue(time.GetUtcNow());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return Problems.Conflict($"An experiment named '{name}' exists already.");
        }

        var experiment = new Experiment(reader.GetInt64(0), name, request.Description ?? "", reader.GetFieldValue<DateTimeOffset>(1), 0);
        loggers.CreateLogger(typeof(ExperimentsApi)).LogInformation("Created experiment {ExperimentId} {Name}", experiment.Id, name);
        return TypedResults.Created($"/api/experiments/{experiment.Id}", experiment);
    }

    private static async Task<Ok<List<Experiment>>> ListAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken, string? name = null)
    {
        await using var command = dataSource.CreateCommand(
            $"{SelectSql} WHERE ($1::text IS NULL OR e.name = $1) ORDER BY e.name");
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, (object?)name ?? DBNull.Value);
        return TypedResults.Ok(await ReadAsync(command, cancellationToken));
    }

    private static async Task<Results<Ok<Experiment>, ProblemHttpResult>> GetAsync(long id, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectSql} WHERE e.id = $1");
        command.Parameters.AddWithValue(id);
        var found = await ReadAsync(command, cancellationToken);
        return found.Count == 1 ? TypedResults.Ok(found[0]) : Problems.NotFound($"There is no experiment {id}.");
    }

    private const string SelectSql =
        "SELECT e.id, e.name, e.description, e.created_at, (SELECT count(*) FROM runs r WHERE r.experiment_id = e.id) FROM experiments e";

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
