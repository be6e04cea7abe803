using System.Buffers.Binary;
using System.Text.Json;

namespace EarlyBert.Trainer.Tracking;

/// <summary>What reading a record at some offset found.</summary>
internal enum RecordRead
{
    /// <summary>A whole record with a matching checksum.</summary>
    Valid,

    /// <summary>Fewer bytes than the record's header announces: the end of a torn write.</summary>
    Short,

    /// <summary>A header or checksum that does not hold.</summary>
    Corrupt,
}

/// <summary>
/// The record format of spool segments: <c>[u32 length][u32 CRC-32 of payload][payload]</c>, little-endian, the
/// payload a <see cref="SpoolEntry"/> as UTF-8 JSON (which always begins <c>{"sequence":</c>).
/// </summary>
internal static class SpoolRecords
{
    /// <summary>Bytes of the length and checksum before each payload.</summary>
    public const int HeaderBytes = 8;

    /// <summary>No payload is larger; a bigger length in a header is corruption.</summary>
    public const int MaxPayloadBytes = 256 << 20;

    // Every payload starts so (the generated serializer writes members in declaration order): after damage, the
    // next record is found by looking for this text rather than trying a checksum at every byte.
    private static ReadOnlySpan<byte> PayloadStart => "{\"sequence\":"u8;

    /// <summary>The record of <paramref name="entry"/>, header included.</summary>
    public static byte[] Encode(SpoolEntry entry)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(entry, SpoolJsonContext.Default.SpoolEntry);
        if (payload.Length > MaxPayloadBytes)
        {
            throw new ArgumentException($"A spool entry of {payload.Length:N0} bytes is larger than the {MaxPayloadBytes:N0} a record may hold.", nameof(entry));
        }

        var record = new byte[HeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.Compute(payload));
        payload.CopyTo(record.AsSpan(HeaderBytes));
        return record;
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>. <paramref name="payloadLength"/> is the length the
    /// header announces whenever the header could be read (so a caller can fetch the rest).
    /// </summary>
    public static RecordRead TryRead(ReadOnlySpan<byte> data, out SpoolEntry? entry, out int payloadLength)
    {
        entry = null;
        payloadLength = 0;
        if (data.Length < HeaderBytes)
        {
            return RecordRead.Short;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (length is 0 or > MaxPayloadBytes)
        {
            return RecordRead.Corrupt;
        }

        payloadLength = (int)length;
        if (data.Length - HeaderBytes < payloadLength)
        {
            return RecordRead.Short;
        }

        var payload = data.Slice(HeaderBytes, payloadLength);
        if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(data[4..]))
        {
            return RecordRead.Corrupt;
        }

        try
        {
            entry = JsonSerializer.Deserialize(payload, SpoolJsonContext.Default.SpoolEntry);
        }
        catch (JsonException)
        {
            // A matching checksum over text that is not an entry: written wrongly, not torn; as bad as a bad sum.
        }

        return entry is not null ? RecordRead.Valid : RecordRead.Corrupt;
    }

    /// <summary>The offset of the first valid record at or after <paramref name="from"/>; -1 when there is none.</summary>
    public static int FindNext(ReadOnlySpan<byte> data, int from)
    {
        var at = Math.Max(from, 0) + HeaderBytes;
        while (at < data.Length)
        {
            var found = data[at..].IndexOf(PayloadStart);
            if (found < 0)
            {
                return -1;
            }

            var start = at + found - HeaderBytes;
            if (TryRead(data[start..], out _, out _) == RecordRead.Valid)
            {
                return start;
            }

            at += found + 1;
        }

        return -1;
    }
}
