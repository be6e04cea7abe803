using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Metrics;

/// <summary>Endpoints that read metrics: latest values, full series pages, downsampled series.</summary>
public static class MetricsApi
{
    /// <summary>Maps <c>/api/runs/{runId}/metrics…</c>.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs/{runId:guid}/metrics").WithTags("Metrics");
        group.MapGet("/", LatestAsync)
            .WithName("GetLatestMetrics")
            .WithSummary("The latest value (highest step) of every metric of a run.");
        group.MapGet("/series", PageAsync)
            .WithName("GetMetricSeries")
            .WithSummary("A page of the full series of one metric in step order; pass nextAfterStep as afterStep for the next page.");
        group.MapGet("/downsampled", DownsampledAsync)
            .WithName("GetDownsampledMetricSeries")
            .WithSummary("One metric downsampled to at most maxPoints points, keeping per bucket the minimum and the maximum; fromStep/toStep (inclusive) limit it to a range of steps, include=epochs,timestamps adds those columns.");
        return app;
    }

    private static async Task<Results<Ok<List<MetricLatest>>, ProblemHttpResult>> LatestAsync(
        Guid runId, MetricReader metrics, CancellationToken cancellationToken) =>
        await metrics.ReadLatestAsync(runId, cancellationToken) is { } latest
            ? TypedResults.Ok(latest)
            : Problems.NotFound($"There is no run {runId}.");

    private static async Task<Results<Ok<SeriesPage>, ValidationProblem, ProblemHttpResult>> PageAsync(
        Guid runId, string? key, MetricReader metrics, CancellationToken cancellationToken, long? afterStep = null, int limit = 1000)
    {
        if (limit is < 1 or > MetricReader.MaxPageSize)
        {
            return Problems.Invalid("limit", $"limit is 1 to {MetricReader.MaxPageSize}.");
        }

        if (Keys.Check(key) is { } keyProblem)
        {
            return Problems.Invalid("key", keyProblem);
        }

        return await FindAsync(runId, key!, metrics, cancellationToken) is { } series
            ? TypedResults.Ok(await metrics.ReadPageAsync(series, afterStep, limit, cancellationToken))
            : NoSuchSeries(runId, key!);
    }

    private static async Task<Results<Ok<DownsampledSeries>, ValidationProblem, ProblemHttpResult>> DownsampledAsync(
        Guid runId, string? key, MetricReader metrics, CancellationToken cancellationToken, int maxPoints = 1000,
        long? fromStep = null, long? toStep = null, string? include = null)
    {
        var (options, optionsProblem) = SeriesOptions.Parse(fromStep, toStep, include);
        if (optionsProblem is not null)
        {
            return optionsProblem;
        }

        if (maxPoints is < Downsampler.MinPoints or > Downsampler.MaxPoints)
        {
            return Problems.Invalid("maxPoints", $"maxPoints is {Downsampler.MinPoints} to {Downsampler.MaxPoints}.");
        }

        if (Keys.Check(key) is { } keyProblem)
        {
            return Problems.Invalid("key", keyProblem);
        }

        return await FindAsync(runId, key!, metrics, cancellationToken) is { } series
            ? TypedResults.Ok(await metrics.DownsampleAsync(series, maxPoints, options, cancellationToken))
            : NoSuchSeries(runId, key!);
    }

    /// <summary>The series of <paramref name="key"/> of a run; null when the run or the metric does not exist.</summary>
    internal static async Task<SeriesInfo?> FindAsync(Guid runId, string key, MetricReader metrics, CancellationToken cancellationToken)
    {
        var found = await metrics.FindSeriesAsync([runId], [key], cancellationToken);
        return found.Count == 1 ? found[0] : null;
    }

    internal static ProblemHttpResult NoSuchSeries(Guid runId, string key) =>
        Problems.NotFound($"Run {runId} has no metric '{key}' (or there is no such run).");
}
