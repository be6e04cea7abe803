using EarlyBert.Tracker.Client.Workers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Workers;

/// <summary>Endpoints through which trainer workers report that they are alive.</summary>
public static class WorkersApi
{
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
        WorkerStore workers,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(workerId) || workerId.Length > Limits.MaxWorkerIdLength)
        {
            errors["workerId"] = [$"A worker id is 1 to {Limits.MaxWorkerIdLength} characters."];
        }

        if (string.IsNullOrWhiteSpace(heartbeat.Host) || heartbeat.Host.Length > Limits.MaxWorkerIdLength)
        {
            errors["host"] = [$"The host is 1 to {Limits.MaxWorkerIdLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await workers.RecordHeartbeatAsync(workerId, heartbeat, cancellationToken));
    }

    private static async Task<Ok<List<WorkerInfo>>> ListAsync(WorkerStore workers, CancellationToken cancellationToken) =>
        TypedResults.Ok(await workers.ListAsync(cancellationToken));
}
