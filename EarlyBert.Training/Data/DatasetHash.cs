using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EarlyBert.Training.Data;

/// <summary>
/// The content hash of a loaded dataset: SHA-256 over a byte serialisation that depends only on the examples, so
/// the same examples read from CSV, TSV or JSONL, with LF or CRLF line ends, hash alike.
/// </summary>
/// <remarks>
/// The serialisation (version 1) is the ASCII line <c>earlybert-dataset-v1\n</c>, then one record per example —
/// the training split in order, then the validation split in order — each record being seven fields and a
/// <c>\n</c>: split (<c>train</c> or <c>validation</c>), label (its string), text, text pair, input ids, attention
/// mask, token type ids. A null field is the single byte <c>-</c>; any other field is a netstring,
/// <c>&lt;byte count in decimal&gt;:&lt;UTF-8 bytes&gt;,</c>. An id array is written as its decimal numbers
/// separated by single spaces. Texts are hashed as loaded (after line-end normalisation of the file), without any
/// Unicode normalisation.
/// </remarks>
internal static class DatasetHash
{
    private static readonly byte[] Header = "earlybert-dataset-v1\n"u8.ToArray();

    /// <summary>Lowercase hex SHA-256 of the examples, serialised as described above.</summary>
    public static string Compute(IReadOnlyList<DataExample> train, IReadOnlyList<DataExample> validation, IReadOnlyList<string> id2Label)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Header);
        var buffer = new StringBuilder();
        Append(hash, "train", train, id2Label, buffer);
        Append(hash, "validation", validation, id2Label, buffer);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string split, IReadOnlyList<DataExample> examples, IReadOnlyList<string> id2Label, StringBuilder buffer)
    {
        foreach (var example in examples)
        {
            Field(hash, split);
            Field(hash, id2Label[example.Label]);
            Field(hash, example.Text);
            Field(hash, example.TextPair);
            Field(hash, Ids(example.InputIds, buffer));
            Field(hash, Ids(example.AttentionMask, buffer));
            Field(hash, Ids(example.TokenTypeIds, buffer));
            hash.AppendData("\n"u8);
        }
    }

    private static void Field(IncrementalHash hash, string? value)
    {
        if (value is null)
        {
            hash.AppendData("-"u8);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        hash.AppendData(Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":"));
        hash.AppendData(bytes);
        hash.AppendData(","u8);
    }

    private static string? Ids(int[]? ids, StringBuilder buffer)
    {
        if (ids is null) return null;
        buffer.Clear();
        for (var i = 0; i < ids.Length; i++)
        {
            if (i > 0) buffer.Append(' ');
            buffer.Append(ids[i].ToString(CultureInfo.InvariantCulture));
        }
        return buffer.ToString();
    }
}
