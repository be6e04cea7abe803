using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// Writers that log metrics the way the trainer does: one run each, batches with their own batch id, and the same
/// batch (same id, same content) sent again after any failure until the tracker answers. Afterwards every run's
/// points are counted and summed in PostgreSQL and compared with what was acknowledged.
/// </summary>
public sealed class MetricWriters(ChaosClient client, Tally tally, Guid[] runs, int batchesPerWriter, int pointsPerBatch)
{
    private const string Key = "chaos/loss";

    /// <summary>The value logged at <paramref name="step"/> by writer <paramref name="writer"/>: exact in binary, so sums compare exactly.</summary>
    public static double Value(int writer, long step) => (step * 0.5) + writer;

    /// <summary>Runs every writer to the end; <paramref name="pause"/> between batches spreads the ingest over the faults.</summary>
    public Task RunAsync(TimeSpan pause, CancellationToken cancellationToken) =>
        Task.WhenAll(runs.Select((run, writer) => Task.Run(() => WriteAsync(writer, run, pause, cancellationToken), cancellationToken)));

    private async Task WriteAsync(int writer, Guid run, TimeSpan pause, CancellationToken cancellationToken)
    {
        for (var batch = 0; batch < batchesPerWriter; batch++)
        {
            var first = (long)batch * pointsPerBatch;
            var body = new
            {
                batchId = BatchId(writer, batch),
                metrics = Enumerable.Range(0, pointsPerBatch).Select(i => new { key = Key, step = first + i, value = Value(writer, first + i) }).ToArray(),
            };
            using var response = await client.SendWithRetriesAsync(
                () => new HttpRequestMessage(HttpMethod.Post, $"api/runs/{run}/batch") { Content = JsonContent.Create(body, options: ChaosClient.Json) },
                "batch", TimeSpan.FromMinutes(3), cancellationToken);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                // A retry of a batch that had been stored, not recognised as such: its steps were refused as repeated.
                tally.DuplicatedPoints(pointsPerBatch);
                tally.Fail($"Writer {writer} batch {batch}: 409 {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            else if (!response.IsSuccessStatusCode)
            {
                tally.Fail($"Writer {writer} batch {batch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
                continue;
            }

            tally.Sent(pointsPerBatch);
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Counts and sums each run's points in PostgreSQL (the checksum: Σ step and Σ value, exact for these values) and
    /// compares them, and the series' own point count, with what every writer sent.
    /// </summary>
    public async Task VerifyAsync(NpgsqlConnection database, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT s.run_id, count(*), coalesce(sum(p.step), 0)::numeric, coalesce(sum(p.value::numeric), 0), max(s.point_count),
                   count(DISTINCT p.step)
            FROM metric_series s JOIN metric_points p ON p.series_id = s.id
            WHERE s.run_id = ANY($1) AND s.key = $2
            GROUP BY s.run_id
            """, database);
        command.Parameters.AddWithValue(runs);
        command.Parameters.AddWithValue(Key);
        var found = new Dictionary<Guid, (long Count, decimal Steps, decimal Values, long SeriesCount, long Distinct)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt64(4), reader.GetInt64(5));
            }
        }

        long points = (long)batchesPerWriter * pointsPerBatch;
        for (var writer = 0; writer < runs.Length; writer++)
        {
            decimal steps = points * (points - 1) / 2m;
            decimal values = (steps * 0.5m) + (writer * (decimal)points);
            var (count, stepSum, valueSum, seriesCount, distinct) = found.GetValueOrDefault(runs[writer]);
            tally.Stored(count);
            if (count < points)
            {
                tally.LostPoints(points - count);
            }

            if (count > distinct || count > points)
            {
                tally.DuplicatedPoints(Math.Max(count - distinct, count - points));
            }

            if (count == points && (stepSum != steps || valueSum != values))
            {
                tally.LostPoints(points);
                tally.Fail($"Writer {writer}: checksum differs (Σstep {stepSum} vs {steps}, Σvalue {valueSum} vs {values}).");
            }

            if (seriesCount != count)
            {
                tally.Fail($"Writer {writer}: the series says {seriesCount} points, the table holds {count}.");
            }
        }
    }

    private static Guid BatchId(int writer, int batch)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, writer);
        BitConverter.TryWriteBytes(bytes[4..], batch);
        BitConverter.TryWriteBytes(bytes[8..], 0x0c4a05L);
        return new Guid(bytes);
    }
}
