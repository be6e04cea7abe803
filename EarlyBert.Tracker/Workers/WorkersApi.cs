using EarlyBert.Tracker.Client.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace EarlyBert.Tracker.Workers;

/// <summary>Endpoints through which trainer workers report that they are alive.</summary>
public static class WorkersApi
{
    private const int MaxIdLength = 200;

    /// <summary>Maps <c>/api/workers</c>.</summary>
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workers").WithTags("Workers");
        group.MapPost("/{workerId}/heartbeat", RecordHeartbeatAsync)
            .WithName("RecordWorkerHeartbeat")
            .WithSummary("Records that a trainer worker is alive.");
        group.MapGet("/", ListAsync)
            .WithName("ListWorkers")
            .WithSummary("Lists trainer workers, most recent heartbeat first.");
        return app;
    }

    private static async Task<Results<Ok<WorkerInfo>, ValidationProblem>> RecordHeartbeatAsync(
        string workerId,
        WorkerHeartbeat heartbeat,
        NpgsqlDataSource dataSource,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(workerId) || workerId.Length > MaxIdLength)
        {
            errors["workerId"] = [$"A worker id is 1 to {MaxIdLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(heartbeat.Host) || heartbeat.Host.Length > MaxIdLength)
        {
            errors["host"] = [$"The host is 1 to {MaxIdLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO workers (id, host, process_id, version, device, first_seen_at, last_heartbeat_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, process_id = excluded.process_id,
                version = excluded.version, device = excluded.device, last_heartbeat_at = excluded.last_heartbeat_at
            RETURNING first_seen_at
            """);
        command.Parameters.AddWithValue(workerId);
        command.Parameters.AddWithValue(heartbeat.Host);
        command.Parameters.AddWithValue(heartbeat.ProcessId);
        command.Parameters.AddWithValue(heartbeat.Version ?? "");
        command.Parameters.AddWithValue(heartbeat.Device ?? "");
        command.Parameters.AddWithValue(now);
        var firstSeen = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        return TypedResults.Ok(new WorkerInfo(
            workerId, heartbeat.Host, heartbeat.ProcessId, heartbeat.Version ?? "", heartbeat.Device ?? "",
            new DateTimeOffset(firstSeen, TimeSpan.Zero), now));
    }

    private static async Task<Ok<List<WorkerInfo>>> ListAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, host, process_id, version, device, first_seen_at, last_heartbeat_at FROM workers ORDER BY last_heartbeat_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var workers = new List<WorkerInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(new WorkerInfo(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return TypedResults.Ok(workers);
    }
}
