using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Runs;
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

    /// <summary>The latest value (highest step) of every metric of a run, by key; null when there is no such run.</summary>
    public async Task<List<MetricLatest>?> ReadLatestAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT key, max_step, last_value, last_epoch, last_timestamp, point_count, min_step FROM metric_series WHERE run_id = $1 ORDER BY key")
        {
            Parameters = { new NpgsqlParameter { Value = runId } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 FROM runs WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = runId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var latest = new List<MetricLatest>();
        while (await reader.ReadAsync(cancellationToken))
        {
            latest.Add(RunStore.ReadLatest(reader));
        }

        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? latest : null;
    }

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
    public async Task<DownsampledSeries> DownsampleAsync(SeriesInfo series, int maxPoints, SeriesOptions options, CancellationToken cancellationToken) =>
        (await DownsampleManyAsync([series], maxPoints, maxPoints * (long)SingleRawFactor, SingleOverread, options, cancellationToken))[series.Id];

    /// <summary>
    /// Several series downsampled to at most <paramref name="maxPoints"/> points each, in few queries: raw points of
    /// the series with at most <paramref name="rawLimit"/> points (in the asked range), metric by metric while their
    /// points together stay within <paramref name="rawBudget"/>; summaries of the rest. Raw points fill the whole
    /// point budget, where a summary level is up to four times coarser than asked for (and never finer than 64 steps).
    /// </summary>
    public async Task<Dictionary<long, DownsampledSeries>> DownsampleManyAsync(
        IReadOnlyList<SeriesInfo> series, int maxPoints, long rawLimit, int overread, SeriesOptions options, CancellationToken cancellationToken,
        long rawBudget = long.MaxValue)
    {
        var result = new Dictionary<long, DownsampledSeries>();
        var windows = new Dictionary<long, SeriesWindow>();
        foreach (var s in series)
        {
            if (SeriesWindow.Of(s, options.Range) is { } window)
            {
                windows[s.Id] = window;
            }
            else
            {
                // Nothing of this series lies in the range.
                result[s.Id] = new DownsampledSeries(s.Key, s.PointCount, false, [], [], options.WithTimes ? [] : null, options.WithTimes ? [] : null);
            }
        }

        var plans = new Dictionary<long, DownsamplePlan>(windows.Count);
        var rawLeft = rawBudget;
        // One metric's lines are read alike (all raw or all summarised), so the runs in one chart share a resolution;
        // metrics with fewer raw points go first.
        foreach (var metric in windows.Values.GroupBy(w => w.Series.Key).OrderBy(g => g.Sum(w => w.EstimatedPoints)))
        {
            var rawPoints = metric.Where(w => w.EstimatedPoints > maxPoints).Sum(w => w.EstimatedPoints);
            var whole = metric.All(w => w.EstimatedPoints <= rawLimit) && rawPoints <= rawLeft;
            if (whole)
            {
                rawLeft -= rawPoints;
            }

            foreach (var w in metric)
            {
                // A series that fits the point budget is always answered whole.
                var fromPoints = whole || w.EstimatedPoints <= maxPoints;
                plans[w.Series.Id] = Downsampler.Plan(w.EstimatedPoints, w.From, w.To, maxPoints, w.Series.NanCount > 0, fromPoints ? long.MaxValue : 0, overread);
            }
        }

        var sampled = new Dictionary<long, List<StepValue>>();

        var raw = windows.Values.Where(w => plans[w.Series.Id].Raw).ToArray();
        if (raw.Length > 0)
        {
            var points = await ReadPointsAsync(raw.Select(w => (w.Series.Id, w.From, w.To)).ToArray(), cancellationToken);
            foreach (var w in raw)
            {
                var all = points[w.Series.Id];
                var kept = Downsampler.FromPoints(all, plans[w.Series.Id].BucketWidth, maxPoints);
                sampled[w.Series.Id] = kept;
                result[w.Series.Id] = DownsampledSeries.Of(w.Series.Key, w.Series.PointCount, kept.Count < all.Count, kept);
            }
        }

        var summarised = windows.Values.Where(w => !plans[w.Series.Id].Raw).ToArray();
        if (summarised.Length > 0)
        {
            // Summary buckets cut by the range's ends hold points outside it: those ends are read from raw points.
            var reads = summarised.ToDictionary(w => w.Series.Id, w => SummaryRead.Of(w, plans[w.Series.Id].Level));
            var edges = reads.Values.SelectMany(r => r.Edges.Select(e => (r.SeriesId, e.From, e.To))).ToArray();
            var edgePoints = edges.Length > 0 ? await ReadPointsAsync(edges, cancellationToken) : [];

            // Many series (compare) are read on two connections at once: PostgreSQL and the row decoding here then
            // use both cores instead of taking turns.
            var parts = summarised.Length >= ParallelReadThreshold
                ? summarised.Chunk((summarised.Length + 1) / 2).ToArray()
                : [summarised];
            var read = await Task.WhenAll(parts.Select(part => ReadSummariesAsync(part.Select(w => reads[w.Series.Id]).ToArray(), cancellationToken)));
            foreach (var w in summarised)
            {
                var plan = plans[w.Series.Id];
                var shift = SummaryLevels.Shift(plan.Level);
                IReadOnlyList<SummaryBucket> buckets = read.First(r => r.ContainsKey(w.Series.Id))[w.Series.Id];
                if (edgePoints.TryGetValue(w.Series.Id, out var extra))
                {
                    // Stable order: points of one cut bucket merge in step order, as the stored summaries did.
                    buckets = buckets.Concat(extra.Select(p => SummaryBucket.Of(p.Step >> shift, p.Step, p.Value))).OrderBy(b => b.Bucket).ToList();
                }

                var kept = Downsampler.FromSummaries(buckets, SummaryLevels.Width(plan.Level), plan.BucketWidth);
                sampled[w.Series.Id] = kept;
                result[w.Series.Id] = DownsampledSeries.Of(w.Series.Key, w.Series.PointCount, true, kept);
            }
        }

        if (options.WithTimes && sampled.Count > 0)
        {
            await AddTimesAsync(sampled, result, cancellationToken);
        }

        return result;
    }

    // Points of several series, each within its own inclusive step range, in step order.
    private async Task<Dictionary<long, List<StepValue>>> ReadPointsAsync(
        IReadOnlyList<(long SeriesId, long From, long To)> ranges, CancellationToken cancellationToken)
    {
        var points = ranges.Select(r => r.SeriesId).Distinct().ToDictionary(id => id, _ => new List<StepValue>());
        await using var command = dataSource.CreateCommand(
            """
            SELECT q.series_id, p.step, p.value
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS q(series_id, from_step, to_step)
            CROSS JOIN LATERAL (
                SELECT step, value FROM metric_points p
                WHERE p.series_id = q.series_id AND p.step BETWEEN q.from_step AND q.to_step ORDER BY p.step) AS p
            ORDER BY q.series_id, p.step
            """);
        command.Parameters.AddWithValue(ranges.Select(r => r.SeriesId).ToArray());
        command.Parameters.AddWithValue(ranges.Select(r => r.From).ToArray());
        command.Parameters.AddWithValue(ranges.Select(r => r.To).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points[reader.GetInt64(0)].Add(new StepValue(reader.GetInt64(1), reader.GetDouble(2)));
        }

        return points;
    }

    // Epoch and timestamp of every kept point, looked up by primary key: only the few hundred points a chart shows.
    private async Task AddTimesAsync(Dictionary<long, List<StepValue>> sampled, Dictionary<long, DownsampledSeries> result, CancellationToken cancellationToken)
    {
        var keys = sampled.SelectMany(s => s.Value.Select(p => (SeriesId: s.Key, p.Step))).ToArray();
        var times = new Dictionary<(long, long), (double? Epoch, DateTimeOffset Timestamp)>(keys.Length);
        await using (var command = dataSource.CreateCommand(
            """
            SELECT q.series_id, q.step, p.epoch, p.timestamp
            FROM unnest($1::bigint[], $2::bigint[]) AS q(series_id, step)
            JOIN metric_points p ON p.series_id = q.series_id AND p.step = q.step
            """))
        {
            command.Parameters.AddWithValue(keys.Select(k => k.SeriesId).ToArray());
            command.Parameters.AddWithValue(keys.Select(k => k.Step).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                times[(reader.GetInt64(0), reader.GetInt64(1))] =
                    (reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        foreach (var (id, points) in sampled)
        {
            result[id] = result[id] with
            {
                Epochs = points.Select(p => times[(id, p.Step)].Epoch).ToArray(),
                Timestamps = points.Select(p => times[(id, p.Step)].Timestamp).ToArray(),
            };
        }
    }

    private async Task<Dictionary<long, List<SummaryBucket>>> ReadSummariesAsync(SummaryRead[] reads, CancellationToken cancellationToken)
    {
        var buckets = reads.ToDictionary(r => r.SeriesId, _ => new List<SummaryBucket>());
        await using var command = dataSource.CreateCommand(
            """
            SELECT q.series_id, m.bucket, m.point_count, m.min_step, m.min_value, m.max_step, m.max_value,
                   m.first_step, m.first_value, m.last_step, m.last_value, m.nan_step
            FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::bigint[]) AS q(series_id, level, first_bucket, last_bucket)
            CROSS JOIN LATERAL (
                SELECT * FROM metric_summaries s
                WHERE s.series_id = q.series_id AND s.level = q.level AND s.bucket BETWEEN q.first_bucket AND q.last_bucket
                ORDER BY s.bucket) AS m
            """);
        command.Parameters.AddWithValue(reads.Select(r => r.SeriesId).ToArray());
        command.Parameters.AddWithValue(reads.Select(r => (short)r.Level).ToArray());
        command.Parameters.AddWithValue(reads.Select(r => r.FirstBucket).ToArray());
        command.Parameters.AddWithValue(reads.Select(r => r.LastBucket).ToArray());
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
