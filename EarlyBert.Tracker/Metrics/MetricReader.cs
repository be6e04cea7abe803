using EarlyBert.Tracker.Client.Metrics;
using Npgsql;

namespace EarlyBert.Tracker.Metrics;

/// <summary>A series' row of <c>metric_series</c>.</summary>
/// <param name="Id">Series id.</param>
/// <param name="RunId">Run.</param>
/// <param name="Key">Metric key.</param>
/// <param name="PointCount">Points stored.</param>
/// <param name="NanCount">NaN points stored.</param>
/// <param name="MinStep">Lowest step.</param>
/// <param name="MaxStep">Highest step.</param>
/// <param name="LastValue">Value at the highest step.</param>
public sealed record SeriesInfo(long Id, Guid RunId, string Key, long PointCount, long NanCount, long MinStep, long MaxStep, double LastValue);

/// <summary>Reads metric series: full pages of points and downsampled series from the summaries.</summary>
public sealed class MetricReader(NpgsqlDataSource dataSource)
{
    /// <summary>Most points of one page of a full series.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>A single series read answers from raw points up to this many times its point budget.</summary>
    internal const int SingleRawFactor = 8;

    /// <summary>
    /// Finest summary level a single-series read accepts: up to this many times the target bucket count, merged.
    /// </summary>
    internal const int SingleOverread = 4;

    /// <summary>From this many summarised series on, they are read on two connections in parallel.</summary>
    private const int ParallelReadThreshold = 8;

    /// <summary>The series of the given runs and keys.</summary>
    public async Task<List<SeriesInfo>> FindSeriesAsync(IReadOnlyList<Guid> runIds, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, run_id, key, point_count, nan_count, min_step, max_step, last_value FROM metric_series
            WHERE run_id = ANY($1) AND key = ANY($2)
            """);
        command.Parameters.AddWithValue(runIds.ToArray());
        command.Parameters.AddWithValue(keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var found = new List<SeriesInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(new SeriesInfo(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), reader.GetDouble(7)));
        }

        return found;
    }

    /// <summary>Points of a series with steps after <paramref name="afterStep"/>, at most <paramref name="limit"/>.</summary>
    public async Task<SeriesPage> ReadPageAsync(SeriesInfo series, long? afterStep, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT step, value, epoch, timestamp FROM metric_points WHERE series_id = $1 AND step > $2 ORDER BY step LIMIT $3");
        command.Parameters.AddWithValue(series.Id);
        command.Parameters.AddWithValue(afterStep ?? -1L);
        command.Parameters.AddWithValue(limit + 1);
        var points = new List<SeriesPoint>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new SeriesPoint(reader.GetInt64(0), reader.GetDouble(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        if (points.Count > limit)
        {
            points.RemoveAt(points.Count - 1);
            return new SeriesPage(series.Key, points, points[^1].Step);
        }

        return new SeriesPage(series.Key, points, null);
    }

    /// <summary>Every point of a series in step order, streamed.</summary>
    public async IAsyncEnumerable<SeriesPoint> ReadAllAsync(long seriesId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT step, value, epoch, timestamp FROM metric_points WHERE series_id = $1 ORDER BY step");
        command.Parameters.AddWithValue(seriesId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new SeriesPoint(reader.GetInt64(0), reader.GetDouble(1), reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
    }

    /// <summary>One series downsampled to at most <paramref name="maxPoints"/> points.</summary>
    public async Task<DownsampledSeries> DownsampleAsync(SeriesInfo series, int maxPoints, CancellationToken cancellationToken) =>
        (await DownsampleManyAsync([series], maxPoints, maxPoints * (long)SingleRawFactor, SingleOverread, cancellationToken))[series.Id];

    /// <summary>
    /// Several series downsampled to at most <paramref name="maxPoints"/> points each, in two queries: raw points of
    /// the series with at most <paramref name="rawLimit"/> points, summaries of the rest.
    /// </summary>
    public async Task<Dictionary<long, DownsampledSeries>> DownsampleManyAsync(
        IReadOnlyList<SeriesInfo> series, int maxPoints, long rawLimit, int overread, CancellationToken cancellationToken)
    {
        var plans = series.ToDictionary(
            s => s.Id,
            s => Downsampler.Plan(s.PointCount, s.MinStep, s.MaxStep, maxPoints, s.NanCount > 0, Math.Max(rawLimit, maxPoints), overread));
        var result = new Dictionary<long, DownsampledSeries>();

        var raw = series.Where(s => plans[s.Id].Raw).ToArray();
        if (raw.Length > 0)
        {
            var points = raw.ToDictionary(s => s.Id, s => new List<StepValue>((int)s.PointCount));
            await using var command = dataSource.CreateCommand(
                "SELECT series_id, step, value FROM metric_points WHERE series_id = ANY($1) ORDER BY series_id, step");
            command.Parameters.AddWithValue(raw.Select(s => s.Id).ToArray());
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    points[reader.GetInt64(0)].Add(new StepValue(reader.GetInt64(1), reader.GetDouble(2)));
                }
            }

            foreach (var s in raw)
            {
                var all = points[s.Id];
                var sampled = Downsampler.FromPoints(all, plans[s.Id].BucketWidth, maxPoints);
                result[s.Id] = DownsampledSeries.Of(s.Key, all.Count, sampled.Count < all.Count, sampled);
            }
        }

        var summarised = series.Where(s => !plans[s.Id].Raw).ToArray();
        if (summarised.Length > 0)
        {
            // Many series (compare) are read on two connections at once: PostgreSQL and the row decoding here then
            // use both cores instead of taking turns.
            var parts = summarised.Length >= ParallelReadThreshold
                ? summarised.Chunk((summarised.Length + 1) / 2).ToArray()
                : [summarised];
            var read = await Task.WhenAll(parts.Select(part => ReadSummariesAsync(part, plans, cancellationToken)));
            foreach (var s in summarised)
            {
                var plan = plans[s.Id];
                var buckets = read.First(r => r.ContainsKey(s.Id))[s.Id];
                var sampled = Downsampler.FromSummaries(buckets, SummaryLevels.Width(plan.Level), plan.BucketWidth);
                result[s.Id] = DownsampledSeries.Of(s.Key, s.PointCount, true, sampled);
            }
        }

        return result;
    }

    private async Task<Dictionary<long, List<SummaryBucket>>> ReadSummariesAsync(
        SeriesInfo[] series, Dictionary<long, DownsamplePlan> plans, CancellationToken cancellationToken)
    {
        var buckets = series.ToDictionary(s => s.Id, _ => new List<SummaryBucket>());
        await using var command = dataSource.CreateCommand(
            """
            SELECT q.series_id, m.bucket, m.point_count, m.min_step, m.min_value, m.max_step, m.max_value,
                   m.first_step, m.first_value, m.last_step, m.last_value, m.nan_step
            FROM unnest($1::bigint[], $2::smallint[]) AS q(series_id, level)
            CROSS JOIN LATERAL (
                SELECT * FROM metric_summaries s WHERE s.series_id = q.series_id AND s.level = q.level ORDER BY s.bucket) AS m
            """);
        command.Parameters.AddWithValue(series.Select(s => s.Id).ToArray());
        command.Parameters.AddWithValue(series.Select(s => (short)plans[s.Id].Level).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets[reader.GetInt64(0)].Add(new SummaryBucket(
                reader.GetInt64(1), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetDouble(6),
                reader.GetInt64(7), reader.GetDouble(8), reader.GetInt64(9), reader.GetDouble(10),
                reader.IsDBNull(11) ? null : reader.GetInt64(11)));
        }

        return buckets;
    }
}
