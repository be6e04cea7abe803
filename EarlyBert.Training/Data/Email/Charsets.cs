using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;

namespace EarlyBert.Training.Data.Email;

/// <summary>Turns the bytes of a MIME part into text by its declared charset, guessing when the label is useless.</summary>
internal static class Charsets
{
    private static readonly ConcurrentDictionary<string, Encoding?> Known = new(StringComparer.OrdinalIgnoreCase);

    // Windows-1252 is a superset of Latin-1's printable range and what mislabelled 8-bit mail nearly always is.
    private static readonly Encoding Fallback8Bit = CodePagesEncodingProvider.Instance.GetEncoding(1252) ?? Encoding.Latin1;

    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = charset is null ? null : Known.GetOrAdd(charset, Lookup);
        if (encoding is not null) return encoding.GetString(bytes);
        return Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Fallback8Bit.GetString(bytes);
    }

    // The code-page provider ships with .NET (no package) and is asked directly, so nothing process-wide is registered.
    // US-ASCII and made-up labels ("default", "unknown-8bit") say nothing about 8-bit bytes, so they are guessed.
    private static Encoding? Lookup(string name)
    {
        var trimmed = name.Trim().Trim('"', '\'').Trim();
        if (trimmed.Length == 0 || trimmed.Equals("us-ascii", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("ascii", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(trimmed) ?? Encoding.GetEncoding(trimmed);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
