using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Reproduction;

/// <summary>Endpoints of reproductions: <c>POST /api/runs/{id}/reproduce</c> and <c>GET /api/runs/{id}/reproduction</c>.</summary>
public static class ReproductionApi
{
    private const int MaxOverrides = 100;

    /// <summary>Maps the reproduction endpoints under <c>/api/runs</c>.</summary>
    public static IEndpointRouteBuilder MapReproductionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Reproduction");
        group.MapPost("/{runId:guid}/reproduce", ReproduceAsync)
            .WithName("ReproduceRun")
            .WithSummary("Queues a reproduction of an ended run: its stored config verbatim, optional overrides recorded as the differences.");
        group.MapGet("/{runId:guid}/reproduction", GetAsync)
            .WithName("GetReproduction")
            .WithSummary("The verdict of a reproduction, its preconditions, environment differences and per-step differences from its parent.");
        return app;
    }

    private static async Task<Results<Created<Run>, ValidationProblem, ProblemHttpResult>> ReproduceAsync(
        Guid runId, ReproduceRun? request, RunQueries runs, ReproductionStore store, CancellationToken cancellationToken)
    {
        var overrides = request?.Overrides ?? new Dictionary<string, string>();
        if (overrides.Count > MaxOverrides || overrides.Keys.Any(string.IsNullOrWhiteSpace))
        {
            return Problems.Invalid("overrides", $"Overrides are at most {MaxOverrides} dotted config keys, each with a value.");
        }

        if (await runs.GetAsync(runId, cancellationToken) is not { } parent)
        {
            return Problems.NotFound($"There is no run {runId}.");
        }

        if (parent.Status is RunStatuses.Crashed)
        {
            return Problems.Conflict($"Run {runId} crashed and may still be retried by the tracker; resume it (earlybert train --resume {runId}) or reproduce it once it has finished, failed or been cancelled.");
        }

        if (parent.Status is not (RunStatuses.Finished or RunStatuses.Failed or RunStatuses.Cancelled))
        {
            return Problems.Conflict($"Run {runId} is {parent.Status}: only a finished, failed or cancelled run can be reproduced.");
        }

        if (parent.Config.ValueKind != JsonValueKind.Object || !parent.Config.EnumerateObject().Any())
        {
            return Problems.Conflict($"Run {runId} has no stored config to reproduce.");
        }

        string config;
        try
        {
            // Without overrides the stored config goes over verbatim; with them, through the trainer's own --set rule.
            config = overrides.Count == 0
                ? parent.Config.GetRawText()
                : RunConfigJson.ToJson(RunConfigJson.Apply(RunConfigJson.Parse(parent.Config.GetRawText()), overrides.Select(o => $"{o.Key}={o.Value}")));
        }
        catch (RunConfigException exception)
        {
            return Problems.Invalid(exception.Key is { } key ? $"overrides.{key}" : "overrides", exception.Message);
        }

        var childId = await store.CreateAsync(parent, config, overrides, cancellationToken);
        var child = (await runs.GetAsync(childId, cancellationToken))!;
        return TypedResults.Created($"/api/runs/{childId}", child);
    }

    private static async Task<Results<Ok<ReproductionReport>, ProblemHttpResult>> GetAsync(
        Guid runId, RunQueries runs, ReproductionStore store, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(runId, cancellationToken) is not { } child)
        {
            return Problems.NotFound($"There is no run {runId}.");
        }

        if (child.Reproduction is null)
        {
            return Problems.NotFound($"Run {runId} is not a reproduction (POST /api/runs/{{id}}/reproduce makes one).");
        }

        if (child.Reproduction.Verdict is null && RunStatuses.IsTerminal(child.Status))
        {
            // Ended without a status update through the API (cancelled while queued, crashed): judge it now.
            await store.JudgeAsync(runId, cancellationToken);
            child = (await runs.GetAsync(runId, cancellationToken))!;
        }

        var parent = (await runs.GetAsync(child.Reproduction!.ParentRunId, cancellationToken))!;
        var verdict = await store.JudgeMetricsAsync(parent, child, cancellationToken);
        var differences = verdict.Differences.Select(d => new ReproductionSeries(d.Metric, d.Steps, d.RelativeDifferences)).ToList();
        return TypedResults.Ok(new ReproductionReport(child.Id, child.Status, child.Reproduction, differences));
    }
}
