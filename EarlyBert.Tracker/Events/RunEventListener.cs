using Npgsql;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// Receives the run events published on the other replicas: one dedicated PostgreSQL connection per replica that
/// <c>LISTEN</c>s on <see cref="RunEventNotifications.Channel"/> and hands every notification to this replica's
/// subscribers. When the connection drops (PostgreSQL restarted, network cut) it reconnects with backoff, and once
/// listening again sends every subscriber a <see cref="RunEventBroadcaster.Resync"/> event: what happened on other
/// replicas meanwhile is only in a fresh read.
/// </summary>
public sealed class RunEventListener(
    RunEventBroadcaster events, NpgsqlDataSource dataSource, TimeProvider time, ILogger<RunEventListener> logger) : BackgroundService
{
    /// <summary>The listening connection's <c>application_name</c>, to find it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "earlybert-run-events";

    // A silent connection is probed this often, so a dead one (no FIN from a vanished server) is noticed.
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    /// <summary>Whether the listening connection is up right now.</summary>
    public bool IsListening { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => backoff = TimeSpan.Zero, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                IsListening = false;
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                logger.LogWarning(exception, "Lost the run events connection to PostgreSQL; reconnecting in {Backoff}", backoff);
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ListenAsync(Action connected, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, notification) => Receive(notification.Payload);
        await using (var listen = new NpgsqlCommand($"SET application_name = '{ApplicationName}'; LISTEN {RunEventNotifications.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        IsListening = true;
        connected();
        logger.LogInformation("Listening for run events of other replicas on channel {Channel}", RunEventNotifications.Channel);
        // Subscribers that were connected while nobody listened may have missed events of other replicas.
        events.SendResync(time.GetUtcNow());

        try
        {
            while (true)
            {
                if (!await connection.WaitAsync(ProbeInterval, cancellationToken))
                {
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteScalarAsync(cancellationToken);
                }
            }
        }
        finally
        {
            IsListening = false;
        }
    }

    private void Receive(string payload)
    {
        if (RunEventNotifications.Decode(payload) is not { } envelope)
        {
            logger.LogWarning("Ignored a notification on {Channel} that is not a run event", RunEventNotifications.Channel);
            return;
        }

        if (envelope.Origin != events.Origin)
        {
            events.Deliver(envelope.Event);
        }
    }
}
