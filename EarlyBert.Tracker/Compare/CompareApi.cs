using System.Text.Json;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Runs;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

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

    // Compare reads many series at once. Series of up to RawLimit points are bucketed from their raw points, so they
    // use the whole point budget (the finest summary level has 64-step buckets: a 3,000-point series came back as
    // ~100 points), as long as the raw reads of one answer stay within RawBudget points: reading raw rows costs about
    // 2.5 µs each on the benchmark machine (120,000 rows: ~300 ms), where summaries answer 20 runs × 3 metrics of
    // 100,000 points in ~70 ms. Longer series read the summary level with at most the target bucket count.
    private const long RawLimit = 50_000;
    private const long RawBudget = 100_000;
    private const int Overread = 1;

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
        string? runs, NpgsqlDataSource dataSource, MetricReader metricReader, CancellationToken cancellationToken,
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

        var ids = runIds.ToArray();
        await using var batch = dataSource.CreateBatch();
        foreach (var sql in new[]
        {
            $"SELECT {RunStore.SummaryColumns} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ANY($1)",
            "SELECT run_id, key, value FROM params WHERE run_id = ANY($1) ORDER BY key",
            "SELECT run_id, key, value::text FROM run_metadata WHERE run_id = ANY($1) ORDER BY key",
            "SELECT DISTINCT key FROM metric_series WHERE run_id = ANY($1) ORDER BY key",
        })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue(ids);
            batch.BatchCommands.Add(command);
        }

        var summaries = new Dictionary<Guid, RunSummary>();
        var @params = new SortedDictionary<string, string?[]>(StringComparer.Ordinal);
        var metadata = new SortedDictionary<string, string?[]>(StringComparer.Ordinal);
        var metricKeys = new List<string>();
        var position = runIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var summary = RunStore.ReadSummary(reader);
                summaries[summary.Id] = summary;
            }

            foreach (var target in new[] { @params, metadata })
            {
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var key = reader.GetString(1);
                    if (!target.TryGetValue(key, out var values))
                    {
                        target[key] = values = new string?[runIds.Count];
                    }

                    values[position[reader.GetGuid(0)]] = reader.GetString(2);
                }
            }

            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                metricKeys.Add(reader.GetString(0));
            }
        }

        if (runIds.FirstOrDefault(id => !summaries.ContainsKey(id)) is var missing && missing != Guid.Empty)
        {
            return Problems.NotFound($"There is no run {missing}.");
        }

        var comparedMetrics = new List<ComparedMetric>();
        if (keys.Count > 0)
        {
            var series = await metricReader.FindSeriesAsync(runIds, keys, cancellationToken);
            var sampled = await metricReader.DownsampleManyAsync(series, maxPoints, RawLimit, Overread, options, cancellationToken, RawBudget);
            foreach (var key in keys)
            {
                var latest = new double?[runIds.Count];
                var perRun = new DownsampledSeries?[runIds.Count];
                foreach (var s in series.Where(s => s.Key == key))
                {
                    latest[position[s.RunId]] = s.LastValue;
                    perRun[position[s.RunId]] = sampled[s.Id];
                }

                comparedMetrics.Add(new ComparedMetric(key, latest, Differs(latest), perRun));
            }
        }

        return TypedResults.Ok(new Comparison(
            runIds.Select(id => summaries[id]).ToList(),
            @params.Select(p => new ComparedParam(p.Key, p.Value, Differs(p.Value))).ToList(),
            metadata.Select(m => new ComparedMetadata(m.Key, m.Value.Select(Parse).ToList(), Differs(m.Value.Select(Canonical).ToArray()))).ToList(),
            comparedMetrics,
            metricKeys));
    }

    private static bool Differs<T>(IReadOnlyList<T> values) => values.Distinct().Skip(1).Any();

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    // jsonb's text form is already canonical (keys sorted, fixed spacing), so equal values have equal text.
    private static string? Canonical(string? json) => json;
}
