using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// The durable queue of one process between training jobs and the tracker: every append is on disk before it
/// returns, and <see cref="SpoolDrainer"/> sends what waits in order, so training never waits on the network and a
/// crash loses nothing that was appended.
/// </summary>
/// <remarks>
/// <para>On disk, under <see cref="SpoolOptions.Directory"/>, one folder per run named by its id
/// (<c>&lt;Directory&gt;/&lt;runId&gt;/</c>) holding:</para>
/// <list type="bullet">
/// <item><c>entries-000001.log</c>, <c>entries-000002.log</c>…: append-only segments, a new one begun when a record
/// would take the current one past 16 MiB. Each record is <c>[u32 length][u32 CRC-32 of payload][payload]</c>
/// (little-endian; CRC-32 as zlib's), the payload a <see cref="SpoolEntry"/> as UTF-8 JSON (camelCase, as the
/// tracker's API). Sequences start at 1 and increase by one per record, continuing after a restart. Every record is
/// flushed to disk (fsync) before the append returns.</item>
/// <item><c>acked</c>: the last acknowledged sequence, as decimal text; replaced atomically (written to
/// <c>acked.tmp</c>, flushed, renamed over <c>acked</c>, folder flushed). Entries at or below it are done. It is
/// written when the run has nothing more to send, and at most every 100 ms while entries stream out: after a crash
/// the few entries since are sent again, which the tracker ignores (batch ids, same path, same status).</item>
/// <item><c>artifacts/&lt;id&gt;.bin</c>: copies of artifact files, made (and flushed) before their record is
/// appended; deleted once the artifact is sent, like segments whose every record is acknowledged.</item>
/// <item><c>rejected.jsonl</c> (with <c>rejected/</c> for artifact bytes): entries the tracker refused for good (a
/// 4xx other than 408 and 429), one JSON object a line with the status code and the tracker's reason; kept.</item>
/// <item><c>corrupt/</c>: bytes found damaged in the middle of a segment, kept aside (an error is logged; the records
/// around them are still sent).</item>
/// <item><c>lock</c>: held open exclusively by the one process using the folder.</item>
/// </list>
/// <para>On reopening, a torn record at the end of the last segment (a write the crash interrupted: short, or a
/// checksum that does not match, with nothing valid after it) is cut off with a warning; damage anywhere else is
/// logged as an error, kept in <c>corrupt/</c> and skipped. A run's folder is deleted once everything is sent and
/// its run has ended (a final status was sent) or the spool is disposed then, except whatever was rejected or found
/// corrupt. A restarted process takes over the folders whose lock is free (<see cref="RunsWithPending"/>).</para>
/// </remarks>
public sealed class RunSpool : IDisposable
{
    private readonly SpoolOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<RunSpool> logger;
    private readonly SpoolCapacity capacity;
    private readonly AsyncSignal appended = new();
    private readonly Lock runsGate = new();
    // Opened outside the gate (opening scans a folder left behind, which may take long): the appender of one run
    // never waits for another run's folder to be read. Whoever needs a run first opens it; others wait for that.
    private readonly Dictionary<Guid, Lazy<SpoolRun>> runs = [];
    private bool disposed;
    private int drainClaimed;

    /// <summary>Creates the spool; nothing is read or written until a run is used.</summary>
    public RunSpool(SpoolOptions options, TimeProvider time, ILogger<RunSpool> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBytes, nameof(options));
        this.options = options;
        this.time = time;
        this.logger = logger;
        capacity = new SpoolCapacity(options.MaxBytes);
    }

    /// <summary>Bytes held: segments and artifact copies not yet deleted, of every run this spool has open.</summary>
    public long BytesUsed => capacity.Used;

    /// <summary>
    /// Appends a batch of metrics, params, tags or metadata; on disk when this returns. Throws
    /// <see cref="SpoolFullException"/> when <see cref="SpoolOptions.MaxBytes"/> would be passed or the disk is full
    /// (nothing is written then).
    /// </summary>
    public void AppendBatch(Guid runId, RunBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.BatchId == Guid.Empty)
        {
            // The batch id is what makes sending it again after a crash harmless.
            throw new ArgumentException("A spooled batch needs a batch id.", nameof(batch));
        }

        Append(runId, run => run.Append(sequence => new SpoolEntry(sequence, runId, Batch: batch)));
    }

    /// <summary>
    /// Copies <paramref name="sourceFile"/> into the spool and appends it as the artifact <paramref name="path"/>;
    /// the job may delete or overwrite its file as soon as this returns. Throws <see cref="SpoolFullException"/> as
    /// <see cref="AppendBatch"/> does.
    /// </summary>
    public void AppendArtifact(Guid runId, string path, string sourceFile, string contentType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        Append(runId, run => run.AppendArtifact(path, sourceFile, contentType));
    }

    /// <summary>Appends a change of the run's status, notes or tags. Throws as <see cref="AppendBatch"/> does.</summary>
    public void AppendStatus(Guid runId, UpdateRun status)
    {
        ArgumentNullException.ThrowIfNull(status);
        Append(runId, run => run.Append(sequence => new SpoolEntry(sequence, runId, Status: status)));
    }

    /// <summary>
    /// The runs with entries still to send, after taking over every run folder under the spool directory whose lock
    /// no other process holds (what a crashed or stopped process left). For a restarted worker.
    /// </summary>
    public IReadOnlyList<Guid> RunsWithPending()
    {
        var found = new List<(Guid RunId, Lazy<SpoolRun> Run)>();
        lock (runsGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (Directory.Exists(options.Directory))
            {
                foreach (var folder in Directory.EnumerateDirectories(options.Directory))
                {
                    // A folder with neither segments nor acknowledgements is being created, or holds only what was
                    // kept for a person. One with acknowledgements only was drained by a process that then stopped.
                    if (Guid.TryParseExact(Path.GetFileName(folder), "D", out var runId) && !runs.ContainsKey(runId)
                        && (Directory.EnumerateFiles(folder, "entries-*.log").Any() || File.Exists(Path.Combine(folder, SpoolRun.AckedFile))))
                    {
                        found.Add((runId, runs[runId] = OpenLazily(runId)));
                    }
                }
            }
        }

        foreach (var (runId, lazy) in found)
        {
            Adopt(runId, lazy);
        }

        return Snapshot().Where(run => run.PendingCount > 0).Select(run => run.RunId).ToList();
    }

    /// <summary>Entries of <paramref name="runId"/> appended and not yet acknowledged; 0 for a run this spool has not open.</summary>
    public long PendingCount(Guid runId) => Find(runId)?.PendingCount ?? 0;

    /// <summary>
    /// Waits until every entry of <paramref name="runId"/> appended so far has been acknowledged by the tracker, or
    /// <paramref name="cancellationToken"/> fires (give it a timeout: the tracker may be down for long).
    /// </summary>
    public Task WaitDrainedAsync(Guid runId, CancellationToken cancellationToken) =>
        Find(runId)?.WaitDrainedAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Closes every run's files and releases their locks; what is pending stays on disk for next time.</summary>
    public void Dispose()
    {
        List<SpoolRun> open;
        lock (runsGate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            open = runs.Values.Where(lazy => lazy.IsValueCreated).Select(lazy => lazy.Value).ToList();
            runs.Clear();
        }

        // A run still being opened closes itself when its opener finds the spool disposed (see Resolve).
        foreach (var run in open)
        {
            run.Dispose();
        }

        appended.Set();
    }

    // --- For the drainer ---

    /// <summary>
    /// Claims the drain side for one drainer: entries are peeked, sent and acknowledged by one loop only, which is
    /// what keeps each run's entries in order. False when another drainer holds it.
    /// </summary>
    internal bool TryClaimDrain() => Interlocked.Exchange(ref drainClaimed, 1) == 0;

    /// <summary>Gives up what <see cref="TryClaimDrain"/> claimed.</summary>
    internal void ReleaseDrain() => Volatile.Write(ref drainClaimed, 0);

    /// <summary>Whether <see cref="Dispose"/> was called: the drainer then stops.</summary>
    internal bool IsDisposed
    {
        get
        {
            lock (runsGate)
            {
                return disposed;
            }
        }
    }

    /// <summary>A task that completes at the next append after this call.</summary>
    internal Task WhenAppended() => appended.Arm();

    /// <summary>The runs open in this spool.</summary>
    internal IReadOnlyList<Guid> OpenRuns() => Snapshot().Select(run => run.RunId).ToList();

    /// <summary>The first entry of <paramref name="runId"/> not yet acknowledged (the same until it is); null when none.</summary>
    internal SpoolEntry? PeekNext(Guid runId) => Find(runId)?.PeekNext();

    /// <summary>Opens the spooled copy of an artifact; null when it is missing.</summary>
    internal FileStream? OpenStoredArtifact(SpoolEntry entry, SpoolArtifact artifact) => Get(entry.RunId).OpenStoredArtifact(artifact);

    /// <summary>Records durably that the tracker has <paramref name="entry"/> and every entry before it.</summary>
    internal void Acknowledge(SpoolEntry entry) => Get(entry.RunId).Acknowledge(entry);

    /// <summary>Writes the run's last acknowledged sequence to disk if it is not there yet.</summary>
    internal void FlushAcknowledged(Guid runId) => Find(runId)?.FlushAcknowledged();

    /// <summary>Keeps an entry the tracker refused for good in the run's <c>rejected.jsonl</c>, and acknowledges it.</summary>
    internal void Reject(SpoolEntry entry, int? statusCode, string reason) => Get(entry.RunId).Reject(entry, statusCode, reason);

    /// <summary>Closes a run with nothing pending and deletes its folder; false when something is pending after all.</summary>
    internal bool TryRelease(Guid runId)
    {
        lock (runsGate)
        {
            if (!runs.TryGetValue(runId, out var lazy) || !lazy.IsValueCreated)
            {
                return false;
            }

            try
            {
                return lazy.Value.TryRelease();
            }
            finally
            {
                if (lazy.Value.Closed)
                {
                    runs.Remove(runId);
                }
            }
        }
    }

    private void Append(Guid runId, Func<SpoolRun, SpoolEntry> append)
    {
        while (true)
        {
            var run = GetOrOpen(runId);
            if (!run.BeginAppend())
            {
                continue; // The drainer released it just now: open it afresh.
            }

            try
            {
                append(run);
            }
            finally
            {
                run.EndAppend();
            }

            appended.Set();
            return;
        }
    }

    private SpoolRun GetOrOpen(Guid runId)
    {
        Lazy<SpoolRun> lazy;
        lock (runsGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!runs.TryGetValue(runId, out lazy!) || (lazy.IsValueCreated && lazy.Value.Closed))
            {
                runs[runId] = lazy = OpenLazily(runId);
            }
        }

        return Resolve(runId, lazy);
    }

    // The run, opened by this thread or by the one that came first; a failed opening is forgotten (and thrown), so
    // that the next call tries again.
    private SpoolRun Resolve(Guid runId, Lazy<SpoolRun> lazy)
    {
        SpoolRun run;
        try
        {
            run = lazy.Value;
        }
        catch
        {
            lock (runsGate)
            {
                if (runs.TryGetValue(runId, out var current) && current == lazy)
                {
                    runs.Remove(runId);
                }
            }

            throw;
        }

        bool orphaned;
        lock (runsGate)
        {
            orphaned = disposed;
        }

        if (orphaned)
        {
            run.Dispose();
            throw new ObjectDisposedException(nameof(RunSpool));
        }

        return run;
    }

    private Lazy<SpoolRun> OpenLazily(Guid runId) =>
        new(() => SpoolRun.Open(runId, FolderOf(runId), options, capacity, time, logger), LazyThreadSafetyMode.ExecutionAndPublication);

    private SpoolRun? Find(Guid runId)
    {
        Lazy<SpoolRun>? lazy;
        lock (runsGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            lazy = runs.GetValueOrDefault(runId);
        }

        if (lazy is null)
        {
            return null;
        }

        try
        {
            return Resolve(runId, lazy);
        }
        catch (IOException)
        {
            return null; // Its opening failed, and was reported to whoever opened it.
        }
    }

    private SpoolRun Get(Guid runId) =>
        Find(runId) ?? throw new InvalidOperationException($"The spool has no open run {runId}.");

    // Runs fully opened (those being opened are left out; the next call sees them).
    private List<SpoolRun> Snapshot()
    {
        lock (runsGate)
        {
            return disposed ? [] : runs.Values.Where(lazy => lazy.IsValueCreated && !lazy.Value.Closed).Select(lazy => lazy.Value).ToList();
        }
    }

    private void Adopt(Guid runId, Lazy<SpoolRun> lazy)
    {
        try
        {
            if (Resolve(runId, lazy).PendingCount == 0)
            {
                TryRelease(runId);
            }
        }
        catch (SpoolRunLockedException)
        {
            logger.LogDebug("Spool folder of run {RunId} is in use by another process; left to it", runId);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            logger.LogError(exception, "Could not open the spool folder of run {RunId}; its entries stay there unsent", runId);
        }
    }

    private string FolderOf(Guid runId) => Path.Combine(options.Directory, runId.ToString("D"));
}
