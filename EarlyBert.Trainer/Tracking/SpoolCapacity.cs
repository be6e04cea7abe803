namespace EarlyBert.Trainer.Tracking;

/// <summary>The bytes a spool holds (segments and artifact copies of every run) against its limit.</summary>
/// <param name="maxBytes">The limit, <see cref="SpoolOptions.MaxBytes"/>.</param>
internal sealed class SpoolCapacity(long maxBytes)
{
    private long used;

    /// <summary>Bytes held now.</summary>
    public long Used => Interlocked.Read(ref used);

    /// <summary>The limit.</summary>
    public long Max => maxBytes;

    /// <summary>Counts <paramref name="bytes"/> about to be written, or throws when they would pass the limit.</summary>
    public void Reserve(long bytes, string folder)
    {
        var after = Interlocked.Add(ref used, bytes);
        if (after > maxBytes)
        {
            Interlocked.Add(ref used, -bytes);
            throw new SpoolFullException(folder, after - bytes, maxBytes, bytes);
        }
    }

    /// <summary>Counts bytes found on disk (reopening a run): they are there whatever the limit says.</summary>
    public void Add(long bytes) => Interlocked.Add(ref used, bytes);

    /// <summary>Stops counting bytes that were deleted or never written.</summary>
    public void Release(long bytes) => Interlocked.Add(ref used, -bytes);
}
