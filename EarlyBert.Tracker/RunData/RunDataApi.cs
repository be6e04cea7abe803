using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.RunData;

/// <summary>The batch write endpoint for a run's metrics, params, tags and metadata.</summary>
public static class RunDataApi
{
    /// <summary>
    /// Largest batch body: 10,000 points in the verbose form take about 1 MB; metadata values (up to 64 KB of JSON
    /// each) make the rest.
    /// </summary>
    public const long MaxBatchBodyBytes = 32 * 1024 * 1024;

    /// <summary>Maps <c>POST /api/runs/{runId}/batch</c>.</summary>
    public static IEndpointRouteBuilder MapRunDataApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/runs/{runId:guid}/batch", LogBatchAsync)
            .WithName("LogRunBatch")
            .WithSummary("Logs up to 10,000 metric points (as points or per-key columns) plus params, tags and metadata, entirely or not at all; a retried batch id is stored once.")
            .WithTags("Runs")
            .WithMetadata(new JsonBodyLimit(MaxBatchBodyBytes));
        return app;
    }

    private static async Task<Results<Ok<RunBatchResult>, ValidationProblem, ProblemHttpResult>> LogBatchAsync(
        Guid runId, RunBatch batch, RunBatchWriter writer, CancellationToken cancellationToken)
    {
        var errors = RunBatchValidator.Validate(batch);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The batch was not stored.");
        }

        return await writer.WriteAsync(runId, WithSeriesAsPoints(batch), cancellationToken, refuseEnded: true) switch
        {
            BatchOutcome.Stored stored => TypedResults.Ok(stored.Result),
            BatchOutcome.Duplicate duplicate => TypedResults.Ok(duplicate.Result),
            BatchOutcome.Conflict conflict => Problems.Conflict(conflict.Detail),
            _ => Problems.NotFound($"There is no run {runId}."),
        };
    }

    // The writer takes one list of points whatever form they came in (its content hash included, so a retry in the
    // same form is recognised).
    private static RunBatch WithSeriesAsPoints(RunBatch batch)
    {
        if (batch.Series is not { Count: > 0 } series)
        {
            return batch;
        }

        var points = new List<MetricPoint>((batch.Metrics?.Count ?? 0) + series.Sum(columns => columns.Steps.Count));
        points.AddRange(batch.Metrics ?? []);
        foreach (var columns in series)
        {
            points.AddRange(columns.Points());
        }

        return batch with { Metrics = points, Series = null };
    }
}
