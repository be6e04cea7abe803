using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// The drain side of a run's folder: one drainer reads entries in order, then acknowledges or rejects each. The
/// read cursor and the entry in flight belong to the drainer alone; segments and waiters are shared under the gate.
/// </summary>
internal sealed partial class SpoolRun
{
    internal const string AckedFile = "acked";
    private const string AckedTemp = "acked.tmp";
    private const string RejectedFile = "rejected.jsonl";
    private const string RejectedFolder = "rejected";

    // Writing `acked` costs two flushes to disk: while entries stream out it is written at most this often (a
    // crash then sends the few entries since again, which the tracker ignores), and at once when the run is idle.
    private static readonly TimeSpan AckFlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly List<(long Target, TaskCompletionSource Done)> waiters = [];
    private readonly Lock ackFileGate = new();
    private long ackFlushed;
    private long ackFlushedAt;
    private int cursorIndex;
    private long cursorOffset;
    private SafeFileHandle? readHandle;
    private int readHandleIndex;
    private SpoolEntry? next;

    /// <summary>The first entry not yet acknowledged, the same one until it is; null when none is waiting.</summary>
    public SpoolEntry? PeekNext()
    {
        if (next is not null)
        {
            return next;
        }

        while (true)
        {
            SpoolSegment? segment;
            long committed;
            bool isLast;
            lock (gate)
            {
                ObjectDisposedException.ThrowIf(Closed, this);
                segment = segments.FirstOrDefault(s => s.Index >= cursorIndex);
                if (segment is null)
                {
                    return null;
                }

                if (segment.Index != cursorIndex)
                {
                    (cursorIndex, cursorOffset) = (segment.Index, 0);
                }

                committed = segment.Length;
                isLast = segment == segments[^1];
            }

            foreach (var (start, end) in segment.Skips)
            {
                if (start == cursorOffset)
                {
                    cursorOffset = end;
                }
            }

            if (cursorOffset >= committed)
            {
                if (isLast)
                {
                    return null;
                }

                (cursorIndex, cursorOffset) = (segment.Index + 1, 0);
                continue;
            }

            if (ReadAtCursor(segment, committed) is { } entry && entry.Sequence > Volatile.Read(ref acked))
            {
                return next = entry;
            }
        }
    }

    /// <summary>Opens the spooled copy of an artifact for reading; null when it is missing.</summary>
    public FileStream? OpenStoredArtifact(SpoolArtifact artifact)
    {
        var path = Resolve(artifact.StoredFile);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1 << 16, useAsync: true)
            : null;
    }

    /// <summary>
    /// Records that the tracker has every entry through <paramref name="entry"/>, deletes what that made
    /// unnecessary, and writes the sequence to <c>acked</c> when nothing more waits or it was last written more than
    /// <see cref="AckFlushInterval"/> ago.
    /// </summary>
    public void Acknowledge(SpoolEntry entry)
    {
        var deleted = new List<SpoolSegment>();
        bool flush;
        lock (gate)
        {
            Volatile.Write(ref acked, Math.Max(acked, entry.Sequence));
            next = null;
            while (segments.Count > 0 && segments[0].LastSequence <= acked && (segments.Count > 1 || Reclaimable(segments[0])))
            {
                if (segments.Count == 1)
                {
                    writer?.Dispose();
                    writer = null;
                }

                deleted.Add(segments[0]);
                segments.RemoveAt(0);
            }

            foreach (var (_, done) in waiters.Where(waiter => waiter.Target <= acked))
            {
                done.TrySetResult();
            }

            waiters.RemoveAll(waiter => waiter.Target <= acked);
            flush = nextSequence - 1 <= acked || time.GetElapsedTime(ackFlushedAt) >= AckFlushInterval;
        }

        // Deleting before the acknowledgement is on disk loses nothing: the tracker has these entries already.
        foreach (var segment in deleted)
        {
            TryDelete(segment.Path);
            capacity.Release(segment.Length);
        }

        if (entry.Artifact is { } artifact)
        {
            ForgetStoredFile(artifact.StoredFile, delete: true);
        }

        if (flush)
        {
            FlushAcknowledged();
        }
    }

    /// <summary>
    /// Writes the last acknowledged sequence to <c>acked</c> durably, if it is newer than what is there: a temporary
    /// file, flushed, renamed over it, the folder flushed.
    /// </summary>
    public void FlushAcknowledged()
    {
        lock (ackFileGate)
        {
            var sequence = Volatile.Read(ref acked);
            if (sequence == ackFlushed)
            {
                return;
            }

            var temporary = Path.Combine(Folder, AckedTemp);
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path.Combine(Folder, AckedFile), overwrite: true);
            DirectorySync.Flush(Folder);
            ackFlushed = sequence;
            ackFlushedAt = time.GetTimestamp();
        }
    }

    /// <summary>
    /// Moves an entry the tracker refused for good to <c>rejected.jsonl</c> (an artifact's bytes to
    /// <c>rejected/</c>), then acknowledges it so that the entries after it flow.
    /// </summary>
    public void Reject(SpoolEntry entry, int? statusCode, string reason)
    {
        string? kept = null;
        if (entry.Artifact is { } artifact && File.Exists(Resolve(artifact.StoredFile)))
        {
            kept = $"{RejectedFolder}/{Path.GetFileName(artifact.StoredFile)}";
            Directory.CreateDirectory(Path.Combine(Folder, RejectedFolder));
            File.Move(Resolve(artifact.StoredFile), Resolve(kept), overwrite: true);
            ForgetStoredFile(artifact.StoredFile, delete: false);
        }

        var line = JsonSerializer.SerializeToUtf8Bytes(new RejectedEntry(time.GetUtcNow(), statusCode, reason, entry, kept), SpoolJsonContext.Default.RejectedEntry);
        using (var stream = new FileStream(Path.Combine(Folder, RejectedFile), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0))
        {
            stream.Write([.. line, (byte)'\n']);
            stream.Flush(flushToDisk: true);
        }

        Acknowledge(entry);
    }

    /// <summary>A task that completes once every entry appended so far has been acknowledged.</summary>
    public Task WaitDrainedAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (gate)
        {
            var target = nextSequence - 1;
            if (acked >= target)
            {
                return Task.CompletedTask;
            }

            ObjectDisposedException.ThrowIf(Closed, this);
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((target, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    // The segment being written is deleted once fully sent only when big enough to matter: deleting and creating
    // a file for every record would cost more than the space saved.
    private bool Reclaimable(SpoolSegment segment) =>
        segment.Length >= Math.Min(options.SegmentBytes / 16, options.MaxBytes / 8);

    // Reads the record at the cursor and moves past it; null (cursor moved past them) for bytes that are corrupt.
    private SpoolEntry? ReadAtCursor(SpoolSegment segment, long committed)
    {
        var handle = ReaderFor(segment);
        var available = committed - cursorOffset;
        if (available >= SpoolRecords.HeaderBytes)
        {
            Span<byte> header = stackalloc byte[SpoolRecords.HeaderBytes];
            ReadExactly(handle, header, cursorOffset);
            var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (length is > 0 and <= SpoolRecords.MaxPayloadBytes && SpoolRecords.HeaderBytes + length <= available)
            {
                var record = new byte[SpoolRecords.HeaderBytes + length];
                ReadExactly(handle, record, cursorOffset);
                if (SpoolRecords.TryRead(record, out var entry, out _) == RecordRead.Valid)
                {
                    cursorOffset += record.Length;
                    return entry;
                }
            }
        }

        // Damaged after it was written (the scan at opening found nothing here): report, keep aside, skip.
        var rest = new byte[available];
        ReadExactly(handle, rest, cursorOffset);
        var resume = SpoolRecords.FindNext(rest, 1);
        var end = resume < 0 ? rest.Length : resume;
        SetAsideCorruption(segment, cursorOffset, rest.AsSpan(0, end));
        cursorOffset += end;
        return null;
    }

    private SafeFileHandle ReaderFor(SpoolSegment segment)
    {
        if (readHandle is null || readHandleIndex != segment.Index)
        {
            readHandle?.Dispose();
            readHandle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            readHandleIndex = segment.Index;
        }

        return readHandle;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("A spool segment ended before its committed length.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
