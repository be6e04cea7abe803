using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace EarlyBert.Tracker.RunData;

/// <summary>
/// SHA-256 over a sequence of numbers and strings in a fixed binary layout. Fields are gathered in a pooled buffer
/// and hashed a chunk at a time: a 10,000-point batch is 50,000 fields, and handing each to the hash on its own
/// cost more than the hashing.
/// </summary>
internal sealed class ContentHasher : IDisposable
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int used;

    /// <summary>Adds a string (its length, then its UTF-16 code units); null differs from empty.</summary>
    public void Text(string? text)
    {
        Int32(text?.Length ?? -1);
        var bytes = MemoryMarshal.AsBytes((text ?? "").AsSpan());
        if (bytes.Length > buffer.Length - used)
        {
            Flush();
            if (bytes.Length > buffer.Length)
            {
                hash.AppendData(bytes);
                return;
            }
        }

        bytes.CopyTo(buffer.AsSpan(used));
        used += bytes.Length;
    }

    /// <summary>Adds a 64-bit number.</summary>
    public void Long(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(used), value);
        used += 8;
    }

    /// <summary>The hash of everything added.</summary>
    public byte[] Finish()
    {
        Flush();
        return hash.GetHashAndReset();
    }

    public void Dispose()
    {
        hash.Dispose();
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
    }

    private void Int32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), value);
        used += 4;
    }

    private void Reserve(int bytes)
    {
        if (bytes > buffer.Length - used)
        {
            Flush();
        }
    }

    private void Flush()
    {
        hash.AppendData(buffer, 0, used);
        used = 0;
    }
}
