using System.Globalization;

namespace EarlyBert.Trainer.Tracking;

/// <summary>Reopening a run's folder: what a crashed or stopped process left is scanned, repaired and counted.</summary>
internal sealed partial class SpoolRun
{
    private const string CorruptFolder = "corrupt";

    /// <summary>
    /// Reads the acknowledged sequence, scans every segment (cutting a torn tail off the last one, setting aside
    /// corrupt ranges elsewhere), deletes what was fully acknowledged and copies no entry refers to any more, and
    /// counts the rest in the capacity.
    /// </summary>
    private void Recover()
    {
        TryDelete(Path.Combine(Folder, AckedTemp));
        acked = ackFlushed = ReadAcked();
        var found = Directory.EnumerateFiles(Folder, "entries-*.log")
            .Select(path => SpoolSegment.TryParse(Path.GetFileName(path), out var index) ? new SpoolSegment(index, path) : null)
            .OfType<SpoolSegment>()
            .OrderBy(segment => segment.Index)
            .ToList();
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        long lastSequence = 0;
        for (var i = 0; i < found.Count; i++)
        {
            lastSequence = Math.Max(lastSequence, Scan(found[i], isLast: i == found.Count - 1, referenced));
        }

        nextSegmentIndex = found.Count == 0 ? 1 : found[^1].Index + 1;
        nextSequence = Math.Max(lastSequence, acked) + 1;
        foreach (var segment in found)
        {
            if (segment.LastSequence <= acked)
            {
                TryDelete(segment.Path);
            }
            else
            {
                segments.Add(segment);
                capacity.Add(segment.Length);
            }
        }

        cursorIndex = segments.Count > 0 ? segments[0].Index : nextSegmentIndex;
        CountStoredFiles(referenced);
        var pending = nextSequence - 1 - acked;
        if (pending > 0)
        {
            logger.LogInformation("Spool of run {RunId} reopened in {Folder}: {Pending} entries to send (sequences {First} to {Last})",
                RunId, Folder, pending, acked + 1, nextSequence - 1);
        }
    }

    // Returns the segment's highest valid sequence. Records at or below the acknowledged one count for nothing.
    private long Scan(SpoolSegment segment, bool isLast, HashSet<string> referenced)
    {
        var data = ReadAll(segment.Path);
        var position = 0;
        while (position < data.Length)
        {
            var read = SpoolRecords.TryRead(data.AsSpan(position), out var entry, out var payloadLength);
            if (read == RecordRead.Valid)
            {
                segment.LastSequence = Math.Max(segment.LastSequence, entry!.Sequence);
                if (entry.Sequence > acked && entry.Artifact is { } artifact)
                {
                    referenced.Add(artifact.StoredFile);
                }

                position += SpoolRecords.HeaderBytes + payloadLength;
                continue;
            }

            var resume = SpoolRecords.FindNext(data, position + 1);
            if (resume < 0 && isLast)
            {
                // Nothing valid follows in the segment being written: a write the crash interrupted.
                CutTornTail(segment, position, data.Length - position, read);
                segment.Length = position;
                return segment.LastSequence;
            }

            var end = resume < 0 ? data.Length : resume;
            SetAsideCorruption(segment, position, data.AsSpan(position, end - position));
            position = end;
        }

        segment.Length = data.Length;
        return segment.LastSequence;
    }

    private void CutTornTail(SpoolSegment segment, long offset, long bytes, RecordRead read)
    {
        using (var stream = new FileStream(segment.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.SetLength(offset);
            stream.Flush(flushToDisk: true);
        }

        logger.LogWarning("Spool of run {RunId}: cut a torn record off the end of {Segment} ({Bytes} bytes at offset {Offset}, {Kind}); it was being written when the process stopped and was never complete",
            RunId, segment.Path, bytes, offset, read == RecordRead.Short ? "short" : "checksum mismatch");
    }

    /// <summary>
    /// Reports corrupt bytes in the middle of the spool loudly and keeps them in <c>corrupt/</c>; the records
    /// around them are still sent.
    /// </summary>
    private void SetAsideCorruption(SpoolSegment segment, long offset, ReadOnlySpan<byte> bytes)
    {
        segment.Skips.Add((offset, offset + bytes.Length));
        var kept = $"{CorruptFolder}/{Path.GetFileNameWithoutExtension(segment.Path)}-at-{offset}.bin";
        try
        {
            Directory.CreateDirectory(Path.Combine(Folder, CorruptFolder));
            File.WriteAllBytes(Resolve(kept), bytes.ToArray());
        }
        catch (IOException exception)
        {
            kept = $"nowhere ({exception.Message})";
        }

        logger.LogError("Spool of run {RunId}: {Bytes} bytes at offset {Offset} of {Segment} are corrupt and cannot be sent; they were kept in {KeptFile}. The entries before and after them are still sent",
            RunId, bytes.Length, offset, segment.Path, kept);
    }

    private long ReadAcked()
    {
        var path = Path.Combine(Folder, AckedFile);
        if (!File.Exists(path))
        {
            return 0;
        }

        var text = File.ReadAllText(path).Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return sequence;
        }

        // Sending everything again is safe (the tracker ignores what it has); trusting a wrong number is not.
        logger.LogError("Spool of run {RunId}: {File} holds '{Text}', not a sequence number; every spooled entry will be sent again", RunId, path, text);
        return 0;
    }

    // Copies made by an append that never completed, or of entries already sent, are deleted.
    private void CountStoredFiles(HashSet<string> referenced)
    {
        var folder = Path.Combine(Folder, ArtifactsFolder);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var stored = $"{ArtifactsFolder}/{Path.GetFileName(path)}";
            if (referenced.Contains(stored))
            {
                var length = new FileInfo(path).Length;
                storedBytes[stored] = length;
                capacity.Add(length);
            }
            else
            {
                TryDelete(path);
            }
        }
    }

    private static byte[] ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        return data;
    }
}
