using System.Security.Cryptography;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.RunData;
using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's metric, param and tag writes through the tracker's one write primitive (<see cref="RunBatchWriter"/>).
/// A request with metrics gets a batch id derived from its run and content (timestamps included), so a retried request
/// finds its batch record and stores nothing, while the same value logged again later (another timestamp) is a new
/// point. Values at a step that already has a point go to <c>mlflow_metric_points</c> (migration 0005), which counts
/// a row only once its batch record exists.
/// </summary>
public sealed class MlflowRunDataWriter(
    NpgsqlDataSource dataSource, RunBatchWriter writer, MlflowRunStore runs, ILogger<MlflowRunDataWriter> logger)
{
    /// <summary>Most metrics in one log-batch.</summary>
    public const int MaxMetrics = 1000;

    /// <summary>Most params in one log-batch.</summary>
    public const int MaxParams = 100;

    /// <summary>Most tags in one log-batch.</summary>
    public const int MaxTags = 100;

    /// <summary>Most metrics, params and tags together in one log-batch.</summary>
    public const int MaxEntities = 1000;

    /// <summary>Longest param value.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>
    /// Logs metrics, params and tags to a run, entirely or not at all. A param logged before with another value is
    /// INVALID_PARAMETER_VALUE; the same value again is fine.
    /// </summary>
    public async Task LogAsync(
        Guid runId, IReadOnlyList<MlflowMetric> metrics, IReadOnlyList<MlflowKeyValue> @params, IReadOnlyList<MlflowKeyValue> tags,
        CancellationToken cancellationToken)
    {
        var points = CheckMetrics(metrics);
        var paramValues = CheckParams(@params);
        var tagValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            MlflowRunStore.CheckTag(tag.Key, tag.Value);
            tagValues[tag.Key!] = tag.Value ?? "";
        }

        await runs.RequireActiveAsync(runId, cancellationToken);
        if (points.Count == 0)
        {
            // Params and tags alone are idempotent by nature; a fresh batch id keeps a tag set back to an earlier value
            // from reading as a retry.
            await WriteAsync(runId, new RunBatch(Guid.CreateVersion7(), null, paramValues, tagValues), cancellationToken);
        }
        else
        {
            await WriteMetricsAsync(runId, points, paramValues, tagValues, cancellationToken);
        }

        await runs.RenameFromTagsAsync(runId, tagValues, cancellationToken);
    }

    private async Task WriteMetricsAsync(
        Guid runId, List<MetricPoint> points, Dictionary<string, string> @params, Dictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var batchId = BatchId(runId, points, @params, tags);

        // MLflow writes of one run take turns (a session lock on a connection of their own, released with it), so
        // "which steps exist already" cannot change between this look and the write.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var lockKey = BitConverter.ToInt64(runId.ToByteArray());
        List<(int Ordinal, MetricPoint Point)> extra;
        try
        {
            HashSet<(string, long)> stored;
            await using (var look = new NpgsqlBatch(connection))
            {
                look.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_lock($1)") { Parameters = { new NpgsqlParameter { Value = lockKey } } });
                look.BatchCommands.Add(new NpgsqlBatchCommand("SELECT EXISTS (SELECT 1 FROM run_batches WHERE run_id = $1 AND batch_id = $2)")
                {
                    Parameters = { new NpgsqlParameter { Value = runId }, new NpgsqlParameter { Value = batchId } },
                });
                var keys = points.Select(p => p.Key).ToArray();
                var steps = points.Select(p => p.Step).ToArray();
                look.BatchCommands.Add(new NpgsqlBatchCommand(
                    """
                    SELECT DISTINCT s.key, p.step FROM unnest($2::text[], $3::bigint[]) AS n(k, st)
                    JOIN metric_series s ON s.run_id = $1 AND s.key = n.k
                    JOIN metric_points p ON p.series_id = s.id AND p.step = n.st
                    """)
                {
                    Parameters = { new NpgsqlParameter { Value = runId }, new NpgsqlParameter { Value = keys }, new NpgsqlParameter { Value = steps } },
                });
                await using var reader = await look.ExecuteReaderAsync(cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                if (reader.GetBoolean(0))
                {
                    logger.LogDebug("MLflow batch {BatchId} of run {RunId} was stored before; nothing stored now", batchId, runId);
                    return;
                }

                await reader.NextResultAsync(cancellationToken);
                stored = [];
                while (await reader.ReadAsync(cancellationToken))
                {
                    stored.Add((reader.GetString(0), reader.GetInt64(1)));
                }
            }

            // The first value of a (key, step) goes to the tracker's series; later ones (in this request or after an
            // earlier one) to mlflow_metric_points.
            var fresh = new List<MetricPoint>(points.Count);
            extra = [];
            for (var i = 0; i < points.Count; i++)
            {
                if (stored.Add((points[i].Key, points[i].Step)))
                {
                    fresh.Add(points[i]);
                }
                else
                {
                    extra.Add((i, points[i]));
                }
            }

            if (extra.Count > 0)
            {
                await InsertExtraAsync(connection, runId, batchId, extra, cancellationToken);
            }

            await WriteAsync(runId, new RunBatch(batchId, fresh, @params, tags), cancellationToken);
            if (extra.Count > 0)
            {
                await UpdateLatestAsync(connection, runId, extra.Select(e => e.Point.Key).Distinct().ToArray(), cancellationToken);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            unlock.Parameters.AddWithValue(lockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task InsertExtraAsync(
        NpgsqlConnection connection, Guid runId, Guid batchId, List<(int Ordinal, MetricPoint Point)> extra, CancellationToken cancellationToken)
    {
        // Rows of an earlier failed attempt of this request are kept as they were (primary key), never doubled.
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO mlflow_metric_points (run_id, batch_id, ordinal, key, step, value, timestamp)
            SELECT $1, $2, * FROM unnest($3::integer[], $4::text[], $5::bigint[], $6::float8[], $7::timestamptz[])
            ON CONFLICT DO NOTHING
            """, connection);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(batchId);
        command.Parameters.AddWithValue(extra.Select(e => e.Ordinal).ToArray());
        command.Parameters.AddWithValue(extra.Select(e => e.Point.Key).ToArray());
        command.Parameters.AddWithValue(extra.Select(e => e.Point.Step).ToArray());
        command.Parameters.AddWithValue(extra.Select(e => e.Point.Value).ToArray());
        command.Parameters.AddWithValue(extra.Select(e => e.Point.Timestamp!.Value.UtcDateTime).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// MLflow's latest value of a key is the one at the highest step with the latest timestamp: when that is a further
    /// value of the series' last step, the series' latest value (run lists, search, <c>run.data.metrics</c>) follows it.
    /// </summary>
    private static async Task UpdateLatestAsync(NpgsqlConnection connection, Guid runId, string[] keys, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE metric_series s SET last_value = x.value, last_timestamp = x.timestamp, last_epoch = NULL
            FROM (
                SELECT DISTINCT ON (m.key) m.key, m.step, m.value, m.timestamp
                FROM mlflow_metric_points m JOIN run_batches b ON b.run_id = m.run_id AND b.batch_id = m.batch_id
                WHERE m.run_id = $1 AND m.key = ANY($2)
                ORDER BY m.key, m.step DESC, m.timestamp DESC, m.seq DESC
            ) x
            WHERE s.run_id = $1 AND s.key = x.key AND s.max_step = x.step AND x.timestamp >= s.last_timestamp
            """, connection);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(keys);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task WriteAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken)
    {
        switch (await writer.WriteAsync(runId, batch, cancellationToken))
        {
            case BatchOutcome.RunNotFound:
                throw MlflowException.NotFound($"Run '{MlflowWire.RunId(runId)}' not found");
            case BatchOutcome.Conflict conflict:
                throw MlflowException.Invalid(conflict.Detail);
        }
    }

    /// <summary>
    /// The batch id of a request: SHA-256 over the run and the request's content (every metric's key, value, step and
    /// timestamp, the params and tags), as a version-8 UUID.
    /// </summary>
    internal static Guid BatchId(Guid runId, IReadOnlyList<MetricPoint> points, IReadOnlyDictionary<string, string> @params, IReadOnlyDictionary<string, string> tags)
    {
        using var hash = new ContentHasher();
        hash.Text("mlflow");
        hash.Text(runId.ToString("N"));
        foreach (var point in points)
        {
            hash.Text(point.Key);
            hash.Long(point.Step);
            hash.Long(BitConverter.DoubleToInt64Bits(point.Value));
            hash.Long(point.Timestamp!.Value.ToUnixTimeMilliseconds());
        }

        foreach (var section in new[] { @params, tags })
        {
            hash.Long(section.Count);
            foreach (var (key, value) in section.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                hash.Text(key);
                hash.Text(value);
            }
        }

        var bytes = hash.Finish().AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static List<MetricPoint> CheckMetrics(IReadOnlyList<MlflowMetric> metrics)
    {
        var points = new List<MetricPoint>(metrics.Count);
        foreach (var metric in metrics)
        {
            var key = MlflowWire.Required(metric.Key, "key");
            if (Http.Keys.Check(key) is { } problem)
            {
                throw MlflowException.Invalid($"Invalid metric name: {problem}");
            }

            var value = metric.Value ?? throw MlflowException.Invalid($"Missing value for required parameter 'value' of metric '{key}'.");
            var timestamp = metric.Timestamp ?? throw MlflowException.Invalid($"Missing value for required parameter 'timestamp' of metric '{key}'.");
            // The tracker's steps are 0 or more (its summaries and downsampling rely on it); MLflow clients log from 0.
            if (metric.Step is < 0)
            {
                throw MlflowException.Invalid($"Invalid value {metric.Step} for parameter 'step' of metric '{key}': steps are 0 or more here.");
            }

            points.Add(new MetricPoint(key, metric.Step ?? 0, value, null, MlflowWire.FromMillis(timestamp, "timestamp")));
        }

        return points;
    }

    private static Dictionary<string, string> CheckParams(IReadOnlyList<MlflowKeyValue> @params)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in @params)
        {
            var key = MlflowWire.Required(param.Key, "key");
            if (Http.Keys.Check(key) is { } problem)
            {
                throw MlflowException.Invalid($"Invalid parameter name: {problem}");
            }

            var value = param.Value ?? "";
            if (value.Length > MaxParamValueLength)
            {
                throw MlflowException.Invalid($"Param value for '{key}' is {value.Length} characters; the limit is {MaxParamValueLength}.");
            }

            if (values.TryGetValue(key, out var earlier) && earlier != value)
            {
                throw MlflowException.Invalid($"Duplicate parameter keys with different values in the batch: '{key}'.");
            }

            values[key] = value;
        }

        return values;
    }
}
