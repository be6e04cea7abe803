namespace EarlyBert.Trainer.Tracking;

/// <summary>Where the spool keeps what waits for the tracker, and how much (configuration section <c>Spool</c>).</summary>
public sealed class SpoolOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Spool";

    /// <summary>Environment variable that moves the default <see cref="Directory"/>.</summary>
    public const string DirectoryVariable = "EARLYBERT_SPOOL_DIR";

    /// <summary>
    /// The spool's root folder, one sub-folder per run: <c>$EARLYBERT_SPOOL_DIR</c> when set, else
    /// <c>~/.cache/earlybert/spool</c>.
    /// </summary>
    public string Directory { get; set; } = DefaultDirectory();

    /// <summary>
    /// Most bytes (record segments and artifact copies, all runs together) the spool may hold; an append past it
    /// throws <see cref="SpoolFullException"/>. 2 GiB by default.
    /// </summary>
    public long MaxBytes { get; set; } = 2L << 30;

    /// <summary>Longest wait between two attempts to send an entry the tracker could not take.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A segment file is closed and a new one begun once a record would take it past this size.</summary>
    internal long SegmentBytes { get; set; } = 16L << 20;

    /// <summary>
    /// Writes one encoded record to a segment in place of <see cref="Stream.Write(byte[], int, int)"/>; tests use it
    /// to fail a write half-way, as a full disk does.
    /// </summary>
    internal Action<Stream, byte[]>? RecordWriter { get; set; }

    private static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory
            ? directory
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "spool");
}
