using System.Security.Cryptography;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// The spool folder of one run, held exclusively through its lock file: appends (from the training thread) and the
/// drain side (<c>SpoolRun.Draining.cs</c>, from the drainer) meet only under <see cref="gate"/>. Reopening after a
/// crash is in <c>SpoolRun.Recovery.cs</c>.
/// </summary>
internal sealed partial class SpoolRun : IDisposable
{
    private const string LockFile = "lock";
    private const string ArtifactsFolder = "artifacts";

    private readonly SpoolOptions options;
    private readonly SpoolCapacity capacity;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly FileStream lockStream;
    private readonly Lock gate = new();
    private readonly List<SpoolSegment> segments = [];

    // Artifact copies counted in the capacity, by relative path: released exactly once, whatever happens to them.
    private readonly Dictionary<string, long> storedBytes = new(StringComparer.Ordinal);

    private int nextSegmentIndex = 1;
    private FileStream? writer;
    private long nextSequence = 1;
    private long acked;
    private int appendsInProgress;
    private bool filesClosed;

    private SpoolRun(Guid runId, string folder, FileStream lockStream, SpoolOptions options, SpoolCapacity capacity, TimeProvider time, ILogger logger)
    {
        RunId = runId;
        Folder = folder;
        this.lockStream = lockStream;
        this.options = options;
        this.capacity = capacity;
        this.time = time;
        this.logger = logger;
    }

    /// <summary>The run.</summary>
    public Guid RunId { get; }

    /// <summary>The run's spool folder.</summary>
    public string Folder { get; }

    /// <summary>Released or disposed: a new <see cref="SpoolRun"/> must be opened to append again.</summary>
    public bool Closed { get; private set; }

    /// <summary>Entries appended and not yet acknowledged.</summary>
    public long PendingCount
    {
        get
        {
            lock (gate)
            {
                return Math.Max(0, nextSequence - 1 - acked);
            }
        }
    }

    /// <summary>
    /// Opens (creating when needed) the folder of <paramref name="runId"/>, taking its lock, and recovers what an
    /// earlier process left there. Throws <see cref="SpoolRunLockedException"/> when another process holds it.
    /// </summary>
    public static SpoolRun Open(Guid runId, string folder, SpoolOptions options, SpoolCapacity capacity, TimeProvider time, ILogger logger)
    {
        FileStream? lockStream = null;
        for (var attempt = 1; lockStream is null; attempt++)
        {
            Directory.CreateDirectory(folder);
            try
            {
                lockStream = new FileStream(Path.Combine(folder, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
                // The process that held it last deleted the folder, drained, between our creating and opening.
            }
            catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw new SpoolRunLockedException(folder, exception);
            }
        }

        var run = new SpoolRun(runId, folder, lockStream, options, capacity, time, logger);
        try
        {
            run.Recover();
            return run;
        }
        catch
        {
            // Never the deletion Dispose does for a drained run: what could not be read is not known to be sent.
            run.Closed = true;
            run.CloseFiles(deleteFolder: false);
            throw;
        }
    }

    /// <summary>
    /// Marks an append as under way, so that the drainer cannot release the run meanwhile; false when the run was
    /// released already (open it afresh).
    /// </summary>
    public bool BeginAppend()
    {
        lock (gate)
        {
            if (Closed)
            {
                return false;
            }

            appendsInProgress++;
            return true;
        }
    }

    /// <summary>Ends what <see cref="BeginAppend"/> began.</summary>
    public void EndAppend()
    {
        lock (gate)
        {
            appendsInProgress--;
        }
    }

    /// <summary>Writes the entry <paramref name="create"/> makes for the next sequence, durably, and returns it.</summary>
    public SpoolEntry Append(Func<long, SpoolEntry> create)
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(Closed, this);
            var entry = create(nextSequence);
            var record = SpoolRecords.Encode(entry);
            capacity.Reserve(record.Length, Folder);
            try
            {
                WriteRecord(record);
            }
            catch
            {
                capacity.Release(record.Length);
                throw;
            }

            var segment = segments[^1];
            segment.Length += record.Length;
            segment.LastSequence = entry.Sequence;
            nextSequence++;
            return entry;
        }
    }

    /// <summary>
    /// Copies <paramref name="sourceFile"/> into the run's folder (flushed to disk) and appends an entry for it, so
    /// that the job may delete or overwrite its file at once.
    /// </summary>
    public SpoolEntry AppendArtifact(string path, string sourceFile, string contentType)
    {
        var stored = $"{ArtifactsFolder}/{Guid.NewGuid():N}.bin";
        var storedPath = Resolve(stored);
        var expected = new FileInfo(sourceFile).Length;
        capacity.Reserve(expected, Folder);
        long length;
        string sha256;
        try
        {
            Directory.CreateDirectory(Path.Combine(Folder, ArtifactsFolder));
            (length, sha256) = CopyDurably(sourceFile, storedPath);
            DirectorySync.Flush(Path.Combine(Folder, ArtifactsFolder));
        }
        catch (Exception exception)
        {
            capacity.Release(expected);
            TryDelete(storedPath);
            if (exception is IOException io && SpoolFullException.IsDiskFull(io))
            {
                throw new SpoolFullException(Folder, capacity.Used, capacity.Max, expected, io);
            }

            throw;
        }

        // The job may have been writing the file while it was copied: count what was copied.
        capacity.Add(length - expected);
        lock (gate)
        {
            storedBytes[stored] = length;
        }

        try
        {
            return Append(sequence => new SpoolEntry(sequence, RunId, Artifact: new SpoolArtifact(path, contentType, stored, length, sha256)));
        }
        catch
        {
            ForgetStoredFile(stored, delete: true);
            throw;
        }
    }

    private void WriteRecord(byte[] record)
    {
        SpoolSegment? segment = null;
        try
        {
            segment = CurrentSegment(record.Length);
            var stream = writer ??= OpenWriter(segment);
            if (options.RecordWriter is { } write)
            {
                write(stream, record);
            }
            else
            {
                stream.Write(record);
            }

            stream.Flush(flushToDisk: true);
        }
        catch (IOException exception)
        {
            if (segment is not null)
            {
                TruncateBack(segment);
            }

            if (SpoolFullException.IsDiskFull(exception))
            {
                throw new SpoolFullException(Folder, capacity.Used, capacity.Max, record.Length, exception);
            }

            throw;
        }
    }

    // A record goes into the last segment unless it would take a non-empty one past the roll size.
    private SpoolSegment CurrentSegment(int recordLength)
    {
        if (segments.Count > 0 && (segments[^1].Length == 0 || segments[^1].Length + recordLength <= options.SegmentBytes))
        {
            return segments[^1];
        }

        writer?.Dispose();
        writer = null;
        var index = nextSegmentIndex++;
        var segment = new SpoolSegment(index, Path.Combine(Folder, SpoolSegment.FileName(index)));
        using (new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
        }

        DirectorySync.Flush(Folder);
        segments.Add(segment);
        return segment;
    }

    private static FileStream OpenWriter(SpoolSegment segment)
    {
        // Unbuffered: each record goes to the file in one write, then to the disk with Flush(true).
        var stream = new FileStream(segment.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        if (stream.Length != segment.Length)
        {
            stream.SetLength(segment.Length);
        }

        stream.Position = segment.Length;
        return stream;
    }

    // A failed write may have left part of the record: cut the file back to what was committed, so that the next
    // record follows the last whole one. Should even that fail, the writer is reopened (and cuts) next time.
    private void TruncateBack(SpoolSegment segment)
    {
        try
        {
            if (writer is not null)
            {
                writer.SetLength(segment.Length);
                writer.Position = segment.Length;
                writer.Flush(flushToDisk: true);
            }
        }
        catch (IOException exception)
        {
            logger.LogWarning("Spool of run {RunId}: could not cut {Segment} back to {Length} bytes after a failed write ({Reason}); it will be cut when next opened",
                RunId, segment.Path, segment.Length, exception.Message);
            writer?.Dispose();
            writer = null;
        }
    }

    private static (long Length, string Sha256) CopyDurably(string sourceFile, string destination)
    {
        using var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long length = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            target.Write(buffer, 0, read);
            length += read;
        }

        target.Flush(flushToDisk: true);
        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The full path of a path relative to the run's folder, refusing any that would leave it.</summary>
    private string Resolve(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Folder, relative));
        return full.StartsWith(Path.GetFullPath(Folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new InvalidDataException($"The spooled file '{relative}' is not inside {Folder}.");
    }

    private void ForgetStoredFile(string stored, bool delete)
    {
        long length;
        lock (gate)
        {
            if (!storedBytes.Remove(stored, out length))
            {
                return;
            }
        }

        if (delete)
        {
            TryDelete(Resolve(stored));
        }

        capacity.Release(length);
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException exception)
        {
            logger.LogWarning("Spool of run {RunId}: could not delete {File}: {Reason}", RunId, path, exception.Message);
        }
        catch (UnauthorizedAccessException exception)
        {
            logger.LogWarning("Spool of run {RunId}: could not delete {File}: {Reason}", RunId, path, exception.Message);
        }
    }
}
