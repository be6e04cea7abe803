using Microsoft.Extensions.Options;
using Npgsql;

namespace EarlyBert.Tracker.Runs;

/// <summary>
/// Marks running runs as crashed when their worker has been silent for longer than
/// <see cref="TrackerOptions.HeartbeatTimeout"/>, checking every <see cref="TrackerOptions.CrashSweepInterval"/>
/// on the injected <see cref="TimeProvider"/> (so tests drive it with a fake clock).
/// </summary>
/// <remarks>
/// <para>One replica at a time: the detector that holds the session-level PostgreSQL advisory lock
/// <see cref="AdvisoryLockKey"/> on its own connection sweeps; the others try to take the lock every interval, so one
/// of them takes over within an interval of the holder's death (PostgreSQL releases a session's locks when it ends).</para>
/// <para>A grace of one heartbeat timeout: no sweep before that long has passed since this replica started, or
/// since its database connection came back after a loss. Heartbeats could not be stored while the tracker or its
/// database was away, so the timestamps from before the outage must not count against workers that are alive.</para>
/// </remarks>
public sealed class CrashDetector(
    RunStore runs, NpgsqlDataSource dataSource, TimeProvider time, IOptions<TrackerOptions> options, ILogger<CrashDetector> logger)
    : BackgroundService
{
    /// <summary>Key of the advisory lock that elects the active detector (the bytes of "EBcrash!").</summary>
    public const long AdvisoryLockKey = 0x4542_6372_6173_6821;

    /// <summary>The lock connection's <c>application_name</c>, to find it in <c>pg_stat_activity</c>.</summary>
    public const string ApplicationName = "earlybert-crash-detector";

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private readonly DateTimeOffset startedAt = time.GetUtcNow();

    /// <summary>Whether this replica holds the lock and so is the one that sweeps.</summary>
    public bool IsActive { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        logger.LogInformation("Crash detection every {Interval} with a heartbeat timeout of {Timeout}, on the replica that holds advisory lock {LockKey}",
            settings.CrashSweepInterval, settings.HeartbeatTimeout, AdvisoryLockKey);
        using var timer = new PeriodicTimer(settings.CrashSweepInterval, time);
        DateTimeOffset? graceFrom = startedAt;
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                // Connected again after a loss: heartbeats may not have been stored meanwhile.
                graceFrom ??= time.GetUtcNow();
                backoff = TimeSpan.Zero;
                await ExecuteAsync(connection, "SET application_name = '" + ApplicationName + "'", stoppingToken);
                await HoldLockAndSweepAsync(connection, timer, graceFrom.Value, settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                graceFrom = null;
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                logger.LogWarning(exception, "Crash detection lost its database connection; reconnecting in {Backoff}", backoff);
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

    private async Task HoldLockAndSweepAsync(
        NpgsqlConnection connection, PeriodicTimer timer, DateTimeOffset graceFrom, TrackerOptions settings, CancellationToken cancellationToken)
    {
        // Standby: another replica sweeps while it holds the lock.
        while (!await TryLockAsync(connection, cancellationToken))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }

        IsActive = true;
        logger.LogInformation("This tracker replica now runs crash detection (advisory lock {LockKey}); first sweep after {GraceEnd:O}",
            AdvisoryLockKey, graceFrom + settings.HeartbeatTimeout);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // The lock lives as long as this session: a failed probe means it may be another replica's now.
                await ExecuteAsync(connection, "SELECT 1", cancellationToken);
                if (time.GetUtcNow() - graceFrom < settings.HeartbeatTimeout)
                {
                    continue;
                }

                try
                {
                    await runs.MarkCrashedAsync(settings.HeartbeatTimeout, cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The database may be briefly unreachable; the next tick tries again.
                    logger.LogError(exception, "Crash detection sweep failed");
                }
            }
        }
        finally
        {
            IsActive = false;
            await UnlockAsync(connection);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
        command.Parameters.AddWithValue(AdvisoryLockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task UnlockAsync(NpgsqlConnection connection)
    {
        if (connection.FullState != System.Data.ConnectionState.Open)
        {
            return; // A broken session has released its locks already.
        }

        // A pooled connection keeps its session, and so the lock, until reused: hand the lock over now.
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            command.Parameters.AddWithValue(AdvisoryLockKey);
            await command.ExecuteScalarAsync(timeout.Token);
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            logger.LogDebug(exception, "Could not release the crash detection lock; ending the session releases it");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
