using Npgsql;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// Sends the events published on this replica to the others: drains <see cref="RunEventBroadcaster.Outbox"/> and
/// notifies them in batches, one statement per batch, off the writers' path.
/// </summary>
public sealed class RunEventNotifier(
    RunEventBroadcaster events, NpgsqlDataSource dataSource, TimeProvider time, ILogger<RunEventNotifier> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<string>(MaxBatch);
        var backoff = TimeSpan.Zero;
        try
        {
            while (await events.Outbox.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && events.Outbox.TryRead(out var payload))
                {
                    batch.Add(payload);
                }

                try
                {
                    await SendAsync(batch, stoppingToken);
                    backoff = TimeSpan.Zero;
                }
                catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // PostgreSQL is away: the other replicas' listeners lost it too and will send their subscribers a
                    // resync when it is back, so these events are dropped rather than delivered late.
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                    logger.LogWarning(exception, "Could not notify other replicas of {Count} run events; retrying in {Backoff}", batch.Count, backoff);
                    await Task.Delay(backoff, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(List<string> payloads, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload");
        command.Parameters.AddWithValue(RunEventNotifications.Channel);
        command.Parameters.AddWithValue(payloads.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
