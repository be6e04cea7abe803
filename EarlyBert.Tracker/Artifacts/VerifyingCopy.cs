using System.Buffers;
using System.Security.Cryptography;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// Copies a stored object to a reader while checking it against its row. The bytes go out as they arrive, except the
/// most recent chunk, which is held back until the next one is read; the last chunk is written only once the whole
/// object has been read and its size and SHA-256 match. So on a mismatch the reader has received fewer bytes than
/// the row's size (the <c>Content-Length</c> it was promised) and cannot mistake the transfer for a complete one.
/// </summary>
internal static class VerifyingCopy
{
    private const int ChunkSize = 81_920;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> and returns what was read. When that differs
    /// from <paramref name="expected"/> the last chunk is not written; reading stops as soon as the source is longer
    /// than expected (the result then covers the bytes read so far).
    /// </summary>
    public static async Task<StoredObject> CopyAsync(Stream source, Stream destination, StoredObject expected, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var held = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var next = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var heldCount = 0;
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(next.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                hash.AppendData(next, 0, read);
                total += read;
                if (total > expected.Size)
                {
                    return new StoredObject(total, Convert.ToHexStringLower(hash.GetHashAndReset()));
                }

                await destination.WriteAsync(held.AsMemory(0, heldCount), cancellationToken);
                (held, next) = (next, held);
                heldCount = read;
            }

            var received = new StoredObject(total, Convert.ToHexStringLower(hash.GetHashAndReset()));
            if (received.Size == expected.Size && string.Equals(received.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                await destination.WriteAsync(held.AsMemory(0, heldCount), cancellationToken);
            }

            return received;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(held);
            ArrayPool<byte>.Shared.Return(next);
        }
    }
}
