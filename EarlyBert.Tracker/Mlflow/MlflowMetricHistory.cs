using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// <c>metrics/get-history</c>: every value of one metric of one run, by step, then timestamp, then arrival — the
/// tracker's point of each step and the further values MLflow logged at it.
/// </summary>
public sealed class MlflowMetricHistory(NpgsqlDataSource dataSource)
{
    /// <summary>Most values per page (MLflow's limit too).</summary>
    public const int MaxResults = 25_000;

    /// <summary>A page of the history of <paramref name="key"/>.</summary>
    public async Task<MetricHistory> ReadAsync(Guid runId, string key, int? maxResults, string? pageToken, CancellationToken cancellationToken)
    {
        var take = maxResults ?? MaxResults;
        if (take is < 1 or > MaxResults)
        {
            throw MlflowException.Invalid($"Invalid value {take} for parameter 'max_results' supplied. It must be between 1 and {MaxResults}.");
        }

        var skip = MlflowWire.Offset(pageToken);
        await using var batch = dataSource.CreateBatch();
        var exists = new NpgsqlBatchCommand("SELECT 1 FROM runs WHERE id = $1");
        exists.Parameters.AddWithValue(runId);
        batch.BatchCommands.Add(exists);
        var history = new NpgsqlBatchCommand(
            """
            SELECT step, timestamp, value FROM (
                SELECT p.step, p.timestamp, p.value, 0 AS origin, 0::bigint AS seq
                FROM metric_series s JOIN metric_points p ON p.series_id = s.id
                WHERE s.run_id = $1 AND s.key = $2
                UNION ALL
                SELECT m.step, m.timestamp, m.value, 1, m.seq
                FROM mlflow_metric_points m JOIN run_batches b ON b.run_id = m.run_id AND b.batch_id = m.batch_id
                WHERE m.run_id = $1 AND m.key = $2
            ) h
            ORDER BY step, timestamp, origin, seq OFFSET $3 LIMIT $4
            """);
        history.Parameters.AddWithValue(runId);
        history.Parameters.AddWithValue(key);
        history.Parameters.AddWithValue(skip);
        history.Parameters.AddWithValue(take + 1);
        batch.BatchCommands.Add(history);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw MlflowException.NotFound($"Run '{MlflowWire.RunId(runId)}' not found");
        }

        await reader.NextResultAsync(cancellationToken);
        var metrics = new List<MlflowMetric>();
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics.Add(new MlflowMetric(key, reader.GetDouble(2), MlflowWire.Millis(reader.GetFieldValue<DateTimeOffset>(1)), reader.GetInt64(0)));
        }

        var more = metrics.Count > take;
        return new MetricHistory(more ? metrics.Take(take).ToList() : metrics, more ? MlflowWire.PageToken(skip + take) : null);
    }
}
