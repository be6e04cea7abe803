using EarlyBert.Tracker.Client.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary>Endpoints over runs.</summary>
public static class RunsApi
{
    private const int MaxPageSize = 500;

    /// <summary>Maps <c>/api/runs</c>.</summary>
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapGet("/", ListAsync)
            .WithName("ListRuns")
            .WithSummary("Lists runs, newest first.");
        return app;
    }

    private static async Task<Results<Ok<RunPage>, ValidationProblem>> ListAsync(
        NpgsqlDataSource dataSource,
        CancellationToken cancellationToken,
        int skip = 0,
        int take = 50)
    {
        if (skip < 0 || take < 1 || take > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["paging"] = [$"skip must be 0 or more and take 1 to {MaxPageSize}."],
            });
        }

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT count(*) FROM runs"));
        var page = new NpgsqlBatchCommand(
            """
            SELECT r.id, e.name, r.name, r.status, r.created_at
            FROM runs r JOIN experiments e ON e.id = r.experiment_id
            ORDER BY r.created_at DESC, r.id
            OFFSET $1 LIMIT $2
            """);
        page.Parameters.AddWithValue(skip);
        page.Parameters.AddWithValue(take);
        batch.BatchCommands.Add(page);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var runs = new List<RunSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(new RunSummary(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return TypedResults.Ok(new RunPage(runs, total));
    }
}
