using System.Text.Json;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Runs;
using Npgsql;
using NpgsqlTypes;

namespace EarlyBert.Tracker.RunData;

/// <summary>What writing a batch came to.</summary>
internal abstract record BatchOutcome
{
    /// <summary>Written now.</summary>
    public sealed record Stored(RunBatchResult Result) : BatchOutcome;

    /// <summary>The same batch had been written before; nothing was written now.</summary>
    public sealed record Duplicate(RunBatchResult Result) : BatchOutcome;

    /// <summary>No such run.</summary>
    public sealed record RunNotFound : BatchOutcome;

    /// <summary>The batch contradicts stored data; nothing was written.</summary>
    public sealed record Conflict(string Detail) : BatchOutcome;
}

/// <summary>
/// The one write primitive for a run's data. A batch is one transaction: its batch-id record, params (write-once),
/// tags and metadata (overwrite), the metric series' latest values, the points (binary <c>COPY</c>) and the
/// multi-resolution summaries. So a batch is stored entirely or not at all, and a retried batch finds its record
/// and is not stored twice — idempotency costs one row per batch, not a conflict check per point.
/// </summary>
public sealed class RunBatchWriter(NpgsqlDataSource dataSource, TimeProvider time, RunEventBroadcaster events, ILogger<RunBatchWriter> logger)
{
    /// <summary>
    /// Statuses in which a run takes no more metrics or params (its record is final); tags and metadata stay
    /// editable. A crashed run is not among them: it may be resumed, and is then running again.
    /// </summary>
    public static bool TakesNoData(string status) => status is RunStatuses.Finished or RunStatuses.Failed or RunStatuses.Cancelled;

    /// <summary>
    /// Writes <paramref name="batch"/>. With <paramref name="refuseEnded"/>, metrics or params for a run that has
    /// ended (<see cref="TakesNoData"/>) are a conflict; a retry of a batch stored before the run ended is still
    /// answered as a duplicate.
    /// </summary>
    internal async Task<BatchOutcome> WriteAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken, bool refuseEnded = false)
    {
        var now = time.GetUtcNow();
        var hash = ContentHash(batch);
        var result = new RunBatchResult(
            batch.BatchId, false, batch.Metrics?.Count ?? 0, batch.Params?.Count ?? 0, batch.Tags?.Count ?? 0, batch.Metadata?.Count ?? 0);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Per key, in key order (a fixed lock order, so concurrent batches of one run cannot deadlock).
        var series = batch.Metrics is { Count: > 0 } metrics ? GroupByKey(metrics) : [];

        // One round trip: the batch record first, then the series and their summaries. A concurrent retry of the same
        // batch waits at the record until this one commits or rolls back; the record's foreign key answers "no such
        // run". A duplicate's series and summary changes are rolled back with the transaction.
        List<(long SeriesId, MetricLatest Latest)> latest = [];
        bool recorded;
        string? status;
        try
        {
            await using var first = new NpgsqlBatch(connection, transaction);
            // FOR SHARE holds the run's status until this transaction ends, so it cannot end in between.
            var state = new NpgsqlBatchCommand("SELECT status FROM runs WHERE id = $1 FOR SHARE");
            state.Parameters.AddWithValue(runId);
            first.BatchCommands.Add(state);
            var record = new NpgsqlBatchCommand(
                "INSERT INTO run_batches (run_id, batch_id, content_hash, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true");
            record.Parameters.AddWithValue(runId);
            record.Parameters.AddWithValue(batch.BatchId);
            record.Parameters.AddWithValue(hash);
            record.Parameters.AddWithValue(now);
            first.BatchCommands.Add(record);
            if (series.Length > 0)
            {
                first.BatchCommands.Add(SeriesAndSummariesCommand(runId, series, now));
            }

            await using var reader = await first.ExecuteReaderAsync(cancellationToken);
            status = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
            await reader.NextResultAsync(cancellationToken);
            recorded = await reader.ReadAsync(cancellationToken);
            if (recorded && series.Length > 0)
            {
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    latest.Add((reader.GetInt64(0), new MetricLatest(
                        reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3), reader.IsDBNull(4) ? null : reader.GetDouble(4),
                        reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(2))));
                }
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return new BatchOutcome.RunNotFound();
        }

        if (!recorded)
        {
            return await ExistingBatchAsync(connection, transaction, runId, batch.BatchId, hash, result, cancellationToken);
        }

        if (refuseEnded && status is not null && TakesNoData(status) && (series.Length > 0 || batch.Params is { Count: > 0 }))
        {
            return new BatchOutcome.Conflict(
                $"Run {runId} is {status}: an ended run takes no more metrics or params (tags and metadata stay editable). Nothing was stored.");
        }

        if (batch.Params is { Count: > 0 } @params && await WriteParamsAsync(connection, transaction, runId, @params, cancellationToken) is { } paramConflict)
        {
            return new BatchOutcome.Conflict(paramConflict);
        }

        if (batch.Tags is { Count: > 0 } tags)
        {
            await RunKeyValueWriter.UpsertTagsAsync(connection, transaction, runId, tags, cancellationToken);
        }

        if (batch.Metadata is { Count: > 0 } metadata)
        {
            await RunKeyValueWriter.UpsertMetadataAsync(connection, transaction, runId, metadata, cancellationToken);
        }

        if (series.Length > 0)
        {
            try
            {
                await CopyPointsAsync(connection, series, latest.ToDictionary(l => l.Latest.Key, l => l.SeriesId, StringComparer.Ordinal), now, cancellationToken);
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return new BatchOutcome.Conflict(
                    "The batch logs a metric step that an earlier batch already logged for this run; metric points are append-only. " +
                    exception.Detail);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogDebug("Stored batch {BatchId} of run {RunId}: {Points} points", batch.BatchId, runId, result.MetricPoints);
        if (latest.Count > 0)
        {
            events.Publish(new RunEvent(RunEvent.MetricsLogged, runId, null, latest.Select(l => l.Latest).ToList(), now));
        }

        return new BatchOutcome.Stored(result);
    }

    /// <summary>
    /// SHA-256 over the batch's content in a fixed binary layout (cheaper than serialising it again), so a retry
    /// is told apart from a different batch that reuses the id.
    /// </summary>
    internal static byte[] ContentHash(RunBatch batch)
    {
        using var hash = new ContentHasher();
        foreach (var point in batch.Metrics ?? [])
        {
            hash.Text(point.Key);
            hash.Long(point.Step);
            hash.Long(BitConverter.DoubleToInt64Bits(point.Value));
            hash.Long(point.Epoch is { } epoch ? BitConverter.DoubleToInt64Bits(epoch) : long.MinValue);
            hash.Long(point.Timestamp?.UtcTicks ?? long.MinValue);
        }

        foreach (var section in new[] { batch.Params, batch.Tags })
        {
            hash.Long(section?.Count ?? -1);
            foreach (var (key, value) in section?.OrderBy(p => p.Key, StringComparer.Ordinal) ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                hash.Text(key);
                hash.Text(value);
            }
        }

        hash.Long(batch.Metadata?.Count ?? -1);
        foreach (var (key, value) in batch.Metadata?.OrderBy(p => p.Key, StringComparer.Ordinal) ?? Enumerable.Empty<KeyValuePair<string, JsonElement>>())
        {
            hash.Text(key);
            hash.Text(value.GetRawText());
        }

        return hash.Finish();
    }

    /// <summary>
    /// The metric points per key, keys in ordinal order, each key's points in step order (sorted only when they did
    /// not arrive so).
    /// </summary>
    private static KeyPoints[] GroupByKey(IReadOnlyList<MetricPoint> metrics)
    {
        var byKey = new Dictionary<string, List<MetricPoint>>(StringComparer.Ordinal);
        List<MetricPoint>? current = null;
        string? currentKey = null;
        foreach (var point in metrics)
        {
            if (!ReferenceEquals(point.Key, currentKey) && point.Key != currentKey)
            {
                currentKey = point.Key;
                if (!byKey.TryGetValue(currentKey, out current))
                {
                    byKey[currentKey] = current = [];
                }
            }

            current!.Add(point);
        }

        var series = new KeyPoints[byKey.Count];
        var index = 0;
        foreach (var (key, points) in byKey)
        {
            var array = points.ToArray();
            for (var i = 1; i < array.Length; i++)
            {
                if (array[i].Step < array[i - 1].Step)
                {
                    Array.Sort(array, static (a, b) => a.Step.CompareTo(b.Step));
                    break;
                }
            }

            series[index++] = new KeyPoints(key, array);
        }

        Array.Sort(series, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return series;
    }

    private static async Task<BatchOutcome> ExistingBatchAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, Guid batchId, byte[] hash, RunBatchResult result, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT content_hash FROM run_batches WHERE run_id = $1 AND batch_id = $2", connection, transaction);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(batchId);
        var stored = (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
        return stored.AsSpan().SequenceEqual(hash)
            ? new BatchOutcome.Duplicate(result with { Duplicate = true })
            : new BatchOutcome.Conflict($"Batch {batchId} was stored before with different content; a batch id names one batch.");
    }

    private static async Task<string?> WriteParamsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, IReadOnlyDictionary<string, string> @params, CancellationToken cancellationToken)
    {
        var keys = @params.Keys.Order(StringComparer.Ordinal).ToArray();
        var values = keys.Select(k => @params[k]).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction);
        var insert = new NpgsqlBatchCommand(
            "INSERT INTO params (run_id, key, value) SELECT $1, k, v FROM unnest($2::text[], $3::text[]) AS n(k, v) ON CONFLICT DO NOTHING");
        insert.Parameters.AddWithValue(runId);
        insert.Parameters.AddWithValue(keys);
        insert.Parameters.AddWithValue(values);
        batch.BatchCommands.Add(insert);
        var differing = new NpgsqlBatchCommand(
            """
            SELECT p.key, p.value, n.v FROM unnest($2::text[], $3::text[]) AS n(k, v)
            JOIN params p ON p.run_id = $1 AND p.key = n.k
            WHERE p.value <> n.v ORDER BY p.key LIMIT 5
            """);
        differing.Parameters.AddWithValue(runId);
        differing.Parameters.AddWithValue(keys);
        differing.Parameters.AddWithValue(values);
        batch.BatchCommands.Add(differing);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var conflicts = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            conflicts.Add($"'{reader.GetString(0)}' is '{Shorten(reader.GetString(1))}', not '{Shorten(reader.GetString(2))}'");
        }

        return conflicts.Count == 0
            ? null
            : $"Params are write-once and the batch changes logged ones: {string.Join("; ", conflicts)}.";
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";

    private static async Task CopyPointsAsync(
        NpgsqlConnection connection, KeyPoints[] series, Dictionary<string, long> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY metric_points (series_id, step, value, epoch, timestamp) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (key, points) in series)
        {
            var id = ids[key];
            foreach (var point in points)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(id, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(point.Step, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(point.Value, NpgsqlDbType.Double, cancellationToken);
                if (point.Epoch is { } epoch)
                {
                    await importer.WriteAsync(epoch, NpgsqlDbType.Double, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }

                await importer.WriteAsync((point.Timestamp ?? now).UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            }
        }

        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// One statement for the series' latest values and their multi-resolution summaries (computed here): the series
    /// upsert's ids key the summary rows, so no round trip passes them back first. Series rows are locked in key
    /// order before any of their summary rows, so concurrent batches of one run queue on the series and cannot
    /// deadlock on summaries.
    /// </summary>
    private static NpgsqlBatchCommand SeriesAndSummariesCommand(Guid runId, KeyPoints[] series, DateTimeOffset now)
    {
        var keyIndexes = new List<int>();
        var levels = new List<short>();
        var buckets = new List<long>();
        var counts = new List<int>();
        var minSteps = new List<long?>();
        var minValues = new List<double?>();
        var maxSteps = new List<long?>();
        var maxValues = new List<double?>();
        var firstSteps = new List<long>();
        var firstValues = new List<double>();
        var lastSteps = new List<long>();
        var lastValues = new List<double>();
        var nanSteps = new List<long?>();
        for (var k = 0; k < series.Length; k++)
        {
            var summaries = SummaryLevels.Build(series[k].Points.Select(p => (p.Step, p.Value)).ToArray());
            for (var level = 0; level < summaries.Length; level++)
            {
                foreach (var bucket in summaries[level])
                {
                    keyIndexes.Add(k + 1);
                    levels.Add((short)level);
                    buckets.Add(bucket.Bucket);
                    counts.Add(bucket.Count);
                    minSteps.Add(bucket.MinStep);
                    minValues.Add(bucket.MinValue);
                    maxSteps.Add(bucket.MaxStep);
                    maxValues.Add(bucket.MaxValue);
                    firstSteps.Add(bucket.FirstStep);
                    firstValues.Add(bucket.FirstValue);
                    lastSteps.Add(bucket.LastStep);
                    lastValues.Add(bucket.LastValue);
                    nanSteps.Add(bucket.NanStep);
                }
            }
        }

        // Summary merge rules match SummaryBucket.Merge: on equal values the stored point stays.
        var command = new NpgsqlBatchCommand(
            """
            WITH s AS (
                INSERT INTO metric_series AS s (run_id, key, point_count, nan_count, min_step, max_step, last_value, last_epoch, last_timestamp)
                SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::float8[], $8::float8[], $9::timestamptz[])
                ON CONFLICT (run_id, key) DO UPDATE SET
                    point_count = s.point_count + excluded.point_count,
                    nan_count = s.nan_count + excluded.nan_count,
                    min_step = least(s.min_step, excluded.min_step),
                    max_step = greatest(s.max_step, excluded.max_step),
                    last_value = CASE WHEN excluded.max_step > s.max_step THEN excluded.last_value ELSE s.last_value END,
                    last_epoch = CASE WHEN excluded.max_step > s.max_step THEN excluded.last_epoch ELSE s.last_epoch END,
                    last_timestamp = CASE WHEN excluded.max_step > s.max_step THEN excluded.last_timestamp ELSE s.last_timestamp END
                RETURNING id, key, max_step, last_value, last_epoch, last_timestamp, point_count, min_step
            ), summaries AS (
                INSERT INTO metric_summaries AS m (series_id, level, bucket, point_count, min_step, min_value, max_step, max_value,
                                                   first_step, first_value, last_step, last_value, nan_step)
                SELECT s.id, u.level, u.bucket, u.point_count, u.min_step, u.min_value, u.max_step, u.max_value,
                       u.first_step, u.first_value, u.last_step, u.last_value, u.nan_step
                FROM unnest($10::integer[], $11::smallint[], $12::bigint[], $13::integer[], $14::bigint[], $15::float8[], $16::bigint[],
                            $17::float8[], $18::bigint[], $19::float8[], $20::bigint[], $21::float8[], $22::bigint[])
                         AS u(k, level, bucket, point_count, min_step, min_value, max_step, max_value,
                              first_step, first_value, last_step, last_value, nan_step)
                JOIN s ON s.key = ($2::text[])[u.k]
                ON CONFLICT (series_id, level, bucket) DO UPDATE SET
                    point_count = m.point_count + excluded.point_count,
                    min_step = CASE WHEN m.min_value IS NULL OR excluded.min_value < m.min_value THEN excluded.min_step ELSE m.min_step END,
                    min_value = CASE WHEN m.min_value IS NULL OR excluded.min_value < m.min_value THEN excluded.min_value ELSE m.min_value END,
                    max_step = CASE WHEN m.max_value IS NULL OR excluded.max_value > m.max_value THEN excluded.max_step ELSE m.max_step END,
                    max_value = CASE WHEN m.max_value IS NULL OR excluded.max_value > m.max_value THEN excluded.max_value ELSE m.max_value END,
                    first_step = CASE WHEN excluded.first_step < m.first_step THEN excluded.first_step ELSE m.first_step END,
                    first_value = CASE WHEN excluded.first_step < m.first_step THEN excluded.first_value ELSE m.first_value END,
                    last_step = CASE WHEN excluded.last_step > m.last_step THEN excluded.last_step ELSE m.last_step END,
                    last_value = CASE WHEN excluded.last_step > m.last_step THEN excluded.last_value ELSE m.last_value END,
                    nan_step = least(m.nan_step, excluded.nan_step)
            )
            SELECT * FROM s ORDER BY key COLLATE "C"
            """);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(series.Select(s => s.Key).ToArray());
        command.Parameters.AddWithValue(series.Select(s => (long)s.Points.Length).ToArray());
        command.Parameters.AddWithValue(series.Select(s => (long)s.Points.Count(p => double.IsNaN(p.Value))).ToArray());
        command.Parameters.AddWithValue(series.Select(s => s.Points[0].Step).ToArray());
        command.Parameters.AddWithValue(series.Select(s => s.Points[^1].Step).ToArray());
        command.Parameters.AddWithValue(series.Select(s => s.Points[^1].Value).ToArray());
        command.Parameters.AddWithValue(series.Select(s => s.Points[^1].Epoch).ToArray());
        command.Parameters.AddWithValue(series.Select(s => (s.Points[^1].Timestamp ?? now).UtcDateTime).ToArray());
        command.Parameters.AddWithValue(keyIndexes.ToArray());
        command.Parameters.AddWithValue(levels.ToArray());
        command.Parameters.AddWithValue(buckets.ToArray());
        command.Parameters.AddWithValue(counts.ToArray());
        command.Parameters.AddWithValue(minSteps.ToArray());
        command.Parameters.AddWithValue(minValues.ToArray());
        command.Parameters.AddWithValue(maxSteps.ToArray());
        command.Parameters.AddWithValue(maxValues.ToArray());
        command.Parameters.AddWithValue(firstSteps.ToArray());
        command.Parameters.AddWithValue(firstValues.ToArray());
        command.Parameters.AddWithValue(lastSteps.ToArray());
        command.Parameters.AddWithValue(lastValues.ToArray());
        command.Parameters.AddWithValue(nanSteps.ToArray());
        return command;
    }

    private sealed record KeyPoints(string Key, MetricPoint[] Points);
}
