using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Metrics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Compare;

/// <summary>Several runs side by side in one answer.</summary>
public static class CompareApi
{
    /// <summary>Fewest runs to compare.</summary>
    public const int MinRuns = 2;

    /// <summary>Most runs to compare.</summary>
    public const int MaxRuns = 20;

    /// <summary>Most metrics to compare at once.</summary>
    public const int MaxMetrics = 20;

    /// <summary>Maps <c>GET /api/compare</c>.</summary>
    public static IEndpointRouteBuilder MapCompareApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/compare", CompareAsync)
            .WithName("CompareRuns")
            .WithSummary("Compares 2 to 20 runs: params and metadata with per-key differs flags, every metric key, and the chosen metrics downsampled (fromStep/toStep, include as for one downsampled series).")
            .WithTags("Compare");
        return app;
    }

    private static async Task<Results<Ok<Comparison>, ValidationProblem, ProblemHttpResult>> CompareAsync(
        string? runs, CompareQuery query, CancellationToken cancellationToken,
        string? metrics = null, int maxPoints = 1000, long? fromStep = null, long? toStep = null, string? include = null)
    {
        var runIds = new List<Guid>();
        foreach (var part in (runs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Guid.TryParse(part, out var id))
            {
                return Problems.Invalid("runs", $"'{part}' is not a run id.");
            }

            if (runIds.Contains(id))
            {
                return Problems.Invalid("runs", $"Run {id} is listed twice.");
            }

            runIds.Add(id);
        }

        if (runIds.Count is < MinRuns or > MaxRuns)
        {
            return Problems.Invalid("runs", $"Compare {MinRuns} to {MaxRuns} runs (comma-separated ids); {runIds.Count} given.");
        }

        var keys = (metrics ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count > MaxMetrics)
        {
            return Problems.Invalid("metrics", $"Compare at most {MaxMetrics} metrics at once.");
        }

        if (keys.Select(Keys.Check).FirstOrDefault(p => p is not null) is { } keyProblem)
        {
            return Problems.Invalid("metrics", keyProblem);
        }

        if (maxPoints is < Downsampler.MinPoints or > Downsampler.MaxPoints)
        {
            return Problems.Invalid("maxPoints", $"maxPoints is {Downsampler.MinPoints} to {Downsampler.MaxPoints}.");
        }

        var (options, optionsProblem) = SeriesOptions.Parse(fromStep, toStep, include);
        if (optionsProblem is not null)
        {
            return optionsProblem;
        }

        var (comparison, missing) = await query.CompareAsync(runIds, keys, maxPoints, options, cancellationToken);
        return comparison is null ? Problems.NotFound($"There is no run {missing}.") : TypedResults.Ok(comparison);
    }
}
