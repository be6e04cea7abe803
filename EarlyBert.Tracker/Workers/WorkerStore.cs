using EarlyBert.Tracker.Client.Workers;
using Npgsql;

namespace EarlyBert.Tracker.Workers;

/// <summary>The workers table: heartbeats in, the list of workers out.</summary>
public sealed class WorkerStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Records that <paramref name="workerId"/> is alive now, creating the worker on its first heartbeat.</summary>
    public async Task<WorkerInfo> RecordHeartbeatAsync(string workerId, WorkerHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO workers (id, host, process_id, version, device, first_seen_at, last_heartbeat_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6)
            ON CONFLICT (id) DO UPDATE SET host = excluded.host, process_id = excluded.process_id,
                version = excluded.version, device = excluded.device, last_heartbeat_at = excluded.last_heartbeat_at
            RETURNING first_seen_at
            """);
        command.Parameters.AddWithValue(workerId);
        command.Parameters.AddWithValue(heartbeat.Host);
        command.Parameters.AddWithValue(heartbeat.ProcessId);
        command.Parameters.AddWithValue(heartbeat.Version ?? "");
        command.Parameters.AddWithValue(heartbeat.Device ?? "");
        command.Parameters.AddWithValue(now);
        var firstSeen = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new WorkerInfo(
            workerId, heartbeat.Host, heartbeat.ProcessId, heartbeat.Version ?? "", heartbeat.Device ?? "",
            new DateTimeOffset(firstSeen, TimeSpan.Zero), now);
    }

    /// <summary>Every worker the tracker has heard from, most recent heartbeat first.</summary>
    public async Task<List<WorkerInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, host, process_id, version, device, first_seen_at, last_heartbeat_at FROM workers ORDER BY last_heartbeat_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var workers = new List<WorkerInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(new WorkerInfo(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return workers;
    }
}
