namespace EarlyBert.Trainer.Tracking;

/// <summary>One append-only segment file of a run's spool, as known in memory.</summary>
/// <param name="index">The number in its name, <c>entries-000001.log</c>.</param>
/// <param name="path">Its full path.</param>
internal sealed class SpoolSegment(int index, string path)
{
    /// <summary>File name of segment <paramref name="index"/>.</summary>
    public static string FileName(int index) => $"entries-{index:D6}.log";

    /// <summary>Tells a segment's index from its file name; false for other files.</summary>
    public static bool TryParse(string fileName, out int index)
    {
        index = 0;
        return fileName.StartsWith("entries-", StringComparison.Ordinal)
            && fileName.EndsWith(".log", StringComparison.Ordinal)
            && int.TryParse(fileName.AsSpan(8, fileName.Length - 12), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    /// <summary>The number in its name.</summary>
    public int Index { get; } = index;

    /// <summary>Its full path.</summary>
    public string Path { get; } = path;

    /// <summary>Bytes written and flushed to disk; nothing past this is read.</summary>
    public long Length { get; set; }

    /// <summary>The highest sequence of a valid record in it; 0 when it holds none.</summary>
    public long LastSequence { get; set; }

    /// <summary>Byte ranges found corrupt (already reported and kept aside), skipped when reading.</summary>
    public List<(long Start, long End)> Skips { get; } = [];
}
