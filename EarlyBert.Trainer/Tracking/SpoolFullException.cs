using System.Globalization;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// The spool cannot take another record: it holds <see cref="SpoolOptions.MaxBytes"/> already, or the disk is full.
/// Nothing was written; what the spool held before is intact and still drains.
/// </summary>
public sealed class SpoolFullException : IOException
{
    /// <summary>Creates the exception for the spool in <paramref name="folder"/>.</summary>
    /// <param name="folder">The spool folder (of the run) that could not grow.</param>
    /// <param name="bytesUsed">Bytes the spool holds.</param>
    /// <param name="maxBytes">The spool's limit.</param>
    /// <param name="needed">Bytes the refused append needed.</param>
    /// <param name="innerException">The disk-full error, when the disk rather than the limit refused.</param>
    public SpoolFullException(string folder, long bytesUsed, long maxBytes, long needed, Exception? innerException = null)
        : base(Describe(folder, bytesUsed, maxBytes, needed, innerException), innerException)
    {
        Folder = folder;
        BytesUsed = bytesUsed;
        MaxBytes = maxBytes;
    }

    /// <summary>The spool folder that could not grow.</summary>
    public string Folder { get; }

    /// <summary>Bytes the spool held when it refused.</summary>
    public long BytesUsed { get; }

    /// <summary>The spool's limit.</summary>
    public long MaxBytes { get; }

    private static string Describe(string folder, long bytesUsed, long maxBytes, long needed, Exception? innerException) =>
        innerException is null
            ? string.Create(CultureInfo.InvariantCulture,
                $"The tracker spool in {folder} is full: it holds {bytesUsed:N0} bytes not yet sent and {needed:N0} more would pass its limit of {maxBytes:N0} bytes (Spool:MaxBytes). Is the tracker reachable?")
            : string.Create(CultureInfo.InvariantCulture,
                $"The disk under the tracker spool in {folder} is full ({innerException.Message}); the spool holds {bytesUsed:N0} bytes not yet sent, limit {maxBytes:N0} bytes.");

    /// <summary>Whether <paramref name="exception"/> says the disk is full (ENOSPC, or Windows' disk-full errors).</summary>
    internal static bool IsDiskFull(IOException exception) =>
        exception.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
