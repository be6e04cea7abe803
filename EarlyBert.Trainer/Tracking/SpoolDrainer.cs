using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// Sends what waits in a <see cref="RunSpool"/> to the tracker: each run's entries strictly in sequence, one at a
/// time, runs taking turns. A failure worth retrying (network, timeout, 5xx, 408, 429) holds back only that run,
/// retried with exponential backoff up to <see cref="SpoolOptions.MaxRetryDelay"/>, for ever; a final refusal (any
/// other 4xx) is kept in the run's <c>rejected.jsonl</c> and the next entry follows. Appends never wait on it.
/// Run it with <see cref="RunAsync"/> from a command, or as <see cref="SpoolDrainerService"/> in a host.
/// </summary>
public sealed class SpoolDrainer
{
    // Appends wake the drainer at once; this only bounds how late a retry or an adopted folder is noticed.
    private static readonly TimeSpan MaxIdleWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan AdoptInterval = TimeSpan.FromSeconds(30);

    // Warn on the first failure of an entry and then every so often, not at every retry of a long outage.
    private const int WarnEveryFailures = 10;

    private readonly RunSpool spool;
    private readonly ITrackerSink sink;
    private readonly SpoolOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<SpoolDrainer> logger;
    private readonly Dictionary<Guid, RetryState> retries = [];

    /// <summary>Creates a drainer of <paramref name="spool"/> that sends through <paramref name="sink"/>.</summary>
    public SpoolDrainer(RunSpool spool, ITrackerSink sink, SpoolOptions options, TimeProvider time, ILogger<SpoolDrainer> logger)
    {
        this.spool = spool;
        this.sink = sink;
        this.options = options;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>
    /// Sends pending entries of every run until <paramref name="cancellationToken"/> fires or the spool is disposed
    /// (an entry in flight then stays pending). Takes over, at start and every 30 s, run folders no other process
    /// holds. One drainer per spool.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!spool.TryClaimDrain())
        {
            throw new InvalidOperationException("Another drainer is draining this spool already; one per spool keeps each run's entries in order.");
        }

        // Onto the thread pool at once, away from the caller's synchronization context (whose thread may be the
        // one that appends) and without making a host that starts hosted services wait for a first round.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var adoptedAt = long.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested && !spool.IsDisposed)
            {
                if (adoptedAt == long.MinValue || time.GetElapsedTime(adoptedAt) >= AdoptInterval)
                {
                    Adopt();
                    adoptedAt = time.GetTimestamp();
                }

                // Armed before looking, so that an append made while sending wakes the wait below at once.
                var appended = spool.WhenAppended();
                var (sent, wait) = await SendRoundAsync(cancellationToken);
                if (!sent)
                {
                    await WaitAsync(appended, wait, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what is not acknowledged stays in the spool.
        }
        finally
        {
            spool.ReleaseDrain();
        }
    }

    // One entry per run with something to send and not waiting to retry; says whether anything was done and how
    // long until the earliest retry is due.
    private async Task<(bool Sent, TimeSpan Wait)> SendRoundAsync(CancellationToken cancellationToken)
    {
        var sent = false;
        var wait = MaxIdleWait;
        var open = spool.OpenRuns();
        foreach (var runId in retries.Keys.Except(open).ToList())
        {
            retries.Remove(runId);
        }

        foreach (var runId in open)
        {
            var retry = retries.GetValueOrDefault(runId);
            var now = time.GetUtcNow();
            if (retry is not null && retry.DueAt > now)
            {
                wait = Min(wait, retry.DueAt - now);
                continue;
            }

            SpoolEntry? entry;
            try
            {
                entry = spool.PeekNext(runId);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The drainer must outlive whatever one folder does: a stopped drainer sends nothing at all.
                logger.LogError(exception, "Could not read the spool of run {RunId}; trying again later", runId);
                wait = Min(wait, Backoff(runId, null).Delay);
                continue;
            }

            if (entry is null)
            {
                continue;
            }

            if (await TrySendAsync(entry, cancellationToken))
            {
                sent = true;
            }
            else
            {
                wait = Min(wait, retries[runId].DueAt - time.GetUtcNow());
                FlushAcknowledged(runId);
            }
        }

        return (sent, wait);
    }

    private async Task<bool> TrySendAsync(SpoolEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            var rejected = await SendAsync(entry, cancellationToken);
            if (rejected is not null)
            {
                logger.LogError("Spool of run {RunId}: entry {Sequence} ({Kind}) cannot be sent: {Reason}; kept in rejected.jsonl",
                    entry.RunId, entry.Sequence, Describe(entry), rejected);
                spool.Reject(entry, null, rejected);
            }
            else
            {
                spool.Acknowledge(entry);
            }
        }
        catch (TrackerApiException exception) when (!cancellationToken.IsCancellationRequested && IsFinal(exception.StatusCode))
        {
            var reason = exception.Problem?.Detail ?? exception.Problem?.Title ?? exception.Message;
            logger.LogError("The tracker refused entry {Sequence} ({Kind}) of run {RunId} with {StatusCode}: {Reason}; kept in rejected.jsonl, the next entries follow",
                entry.Sequence, Describe(entry), entry.RunId, (int)exception.StatusCode, reason);
            if (!TryRecord(entry, () => spool.Reject(entry, (int)exception.StatusCode, reason)))
            {
                return false;
            }
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var (delay, failures) = Backoff(entry.RunId, entry);
            var level = failures == 1 || failures % WarnEveryFailures == 0 ? LogLevel.Warning : LogLevel.Debug;
            logger.Log(level, "Sending entry {Sequence} ({Kind}) of run {RunId} failed ({Failures} times so far): {Reason}; retrying in {Delay}",
                entry.Sequence, Describe(entry), entry.RunId, failures, exception.Message, delay);
            return false;
        }

        if (retries.Remove(entry.RunId, out var retry) && retry.Failures > 0)
        {
            logger.LogInformation("The tracker took entry {Sequence} of run {RunId} after {Failures} failed attempts", entry.Sequence, entry.RunId, retry.Failures);
        }

        if (entry.Status?.Status is { } status && RunStatuses.IsTerminal(status))
        {
            Release(entry.RunId);
        }

        return true;
    }

    // Sends one entry; returns why it can never be sent, or null once the tracker has it.
    private async Task<string?> SendAsync(SpoolEntry entry, CancellationToken cancellationToken)
    {
        if (!entry.HasOnePayload)
        {
            return "the entry has no single payload (batch, artifact or status)";
        }

        if (entry.Batch is { } batch)
        {
            await sink.SendBatchAsync(entry.RunId, batch, cancellationToken);
        }
        else if (entry.Artifact is { } artifact)
        {
            await using var content = spool.OpenStoredArtifact(entry, artifact);
            if (content is null)
            {
                return $"its spooled copy {artifact.StoredFile} is missing";
            }

            await sink.SendArtifactAsync(entry.RunId, artifact, content, cancellationToken);
        }
        else
        {
            await sink.SendStatusAsync(entry.RunId, entry.Status!, cancellationToken);
        }

        return null;
    }

    // A rejection that cannot be written (disk trouble) is retried like a failed send.
    private bool TryRecord(SpoolEntry entry, Action record)
    {
        try
        {
            record();
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (delay, _) = Backoff(entry.RunId, entry);
            logger.LogError(exception, "Could not record rejected entry {Sequence} of run {RunId}; trying again in {Delay}", entry.Sequence, entry.RunId, delay);
            return false;
        }
    }

    /// <summary>A 4xx other than 408 (timeout) and 429 (too many requests): sending again cannot succeed.</summary>
    internal static bool IsFinal(HttpStatusCode statusCode) =>
        (int)statusCode is >= 400 and < 500 && statusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    private (TimeSpan Delay, int Failures) Backoff(Guid runId, SpoolEntry? entry)
    {
        if (!retries.TryGetValue(runId, out var retry) || retry.Sequence != entry?.Sequence)
        {
            retries[runId] = retry = new RetryState(entry?.Sequence);
        }

        retry.Failures++;
        var first = Min(FirstRetryDelay, options.MaxRetryDelay);
        var exponential = first * Math.Pow(2, Math.Min(retry.Failures - 1, 30));
        // Jitter spreads the retries of several workers after an outage of the tracker.
        var delay = Min(options.MaxRetryDelay, exponential * (0.8 + (0.4 * Random.Shared.NextDouble())));
        retry.DueAt = time.GetUtcNow() + delay;
        return (delay, retry.Failures);
    }

    // The run has ended: once all is sent, its folder goes and its lock is released. Failing that is no reason to
    // stop draining: the folder is cleaned up when a spool next opens it.
    private void Release(Guid runId)
    {
        try
        {
            spool.TryRelease(runId);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete the drained spool folder of run {RunId}: {Reason}", runId, exception.Message);
        }
    }

    // While a run waits to retry, what was sent before is recorded, so that a crash during a long outage of the
    // tracker does not send it again.
    private void FlushAcknowledged(Guid runId)
    {
        try
        {
            spool.FlushAcknowledged(runId);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            logger.LogWarning("Could not record what was sent of run {RunId}: {Reason}", runId, exception.Message);
        }
    }

    private void Adopt()
    {
        try
        {
            var pending = spool.RunsWithPending();
            if (pending.Count > 0)
            {
                logger.LogDebug("Spool has entries to send for {Runs} runs", pending.Count);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            logger.LogError(exception, "Could not look for runs left in the spool; trying again later");
        }
    }

    private async Task WaitAsync(Task appended, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, time, stop.Token);
        await Task.WhenAny(appended, delay);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static string Describe(SpoolEntry entry) =>
        entry.Batch is { } batch ? $"batch {batch.BatchId}"
        : entry.Artifact is { } artifact ? $"artifact {artifact.Path}"
        : entry.Status is { } status ? $"status {status.Status ?? "update"}"
        : "empty";

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed class RetryState(long? sequence)
    {
        public long? Sequence { get; } = sequence;

        public int Failures { get; set; }

        public DateTimeOffset DueAt { get; set; }
    }
}
