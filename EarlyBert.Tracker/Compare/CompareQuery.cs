using System.Text.Json;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Runs;
using Npgsql;

namespace EarlyBert.Tracker.Compare;

/// <summary>Reads several runs side by side: summaries, params, metadata, metric keys and the chosen series downsampled.</summary>
public sealed class CompareQuery(NpgsqlDataSource dataSource, MetricReader metricReader)
{
    // Compare reads many series at once. Series of up to RawLimit points are bucketed from their raw points, so they
    // use the whole point budget (the finest summary level has 64-step buckets: a 3,000-point series came back as
    // ~100 points), as long as the raw reads of one answer stay within RawBudget points: reading raw rows costs about
    // 2.5 µs each on the benchmark machine (120,000 rows: ~300 ms), where summaries answer 20 runs × 3 metrics of
    // 100,000 points in ~70 ms. Longer series read the summary level with at most the target bucket count.
    private const long RawLimit = 50_000;
    private const long RawBudget = 100_000;
    private const int Overread = 1;

    /// <summary>
    /// Compares <paramref name="runIds"/> (already checked: 2 to 20, distinct) on the metrics <paramref name="keys"/>;
    /// <c>(null, id)</c> names the first run that does not exist.
    /// </summary>
    public async Task<(Comparison? Comparison, Guid Missing)> CompareAsync(
        IReadOnlyList<Guid> runIds, IReadOnlyList<string> keys, int maxPoints, SeriesOptions options, CancellationToken cancellationToken)
    {
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
            return (null, missing);
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

        return (new Comparison(
            runIds.Select(id => summaries[id]).ToList(),
            @params.Select(p => new ComparedParam(p.Key, p.Value, Differs(p.Value))).ToList(),
            metadata.Select(m => new ComparedMetadata(m.Key, m.Value.Select(Parse).ToList(), Differs(m.Value.Select(Canonical).ToArray()))).ToList(),
            comparedMetrics,
            metricKeys), Guid.Empty);
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
