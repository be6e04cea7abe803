using System.Text;
using System.Text.Unicode;

namespace EarlyBert.Training.Data.Files;

/// <summary>Reads a data file as strict UTF-8 and hands it out as lines, so every error can name its line.</summary>
internal static class TextFile
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The file's text without a byte order mark and with CRLF turned into LF, so that line ends never reach the
    /// examples (nor their hash).
    /// </summary>
    public static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataException(path, null, "the file does not exist.", e);
        }
        var body = bytes.AsSpan();
        if (body.StartsWith("\uFEFF"u8)) body = body[3..];
        string text;
        try
        {
            text = Strict.GetString(body);
        }
        catch (DecoderFallbackException e)
        {
            var (line, column) = FirstInvalid(body);
            throw new DataException(path, line, $"invalid UTF-8 at byte {column} of the line; save the file as UTF-8.", e);
        }
        if (string.IsNullOrWhiteSpace(text)) throw new DataException(path, null, "the file is empty.");
        return text.Contains('\r') ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
    }

    /// <summary>Splits LF-separated text into lines, dropping the blank lines at its end (an editor's trailing newlines).</summary>
    public static List<string> Lines(string text)
    {
        var lines = text.Split('\n').ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1])) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    // Decoding stops exactly at the first invalid sequence, which the exception's index does not promise to give.
    private static (long Line, long Column) FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[Math.Min(bytes.Length, 1 << 16)];
        var consumed = 0;
        while (consumed < bytes.Length)
        {
            var status = Utf8.ToUtf16(bytes[consumed..], chars, out var read, out _, replaceInvalidSequences: false);
            consumed += read;
            if (status is System.Buffers.OperationStatus.InvalidData or System.Buffers.OperationStatus.NeedMoreData) break;
        }
        var before = bytes[..consumed];
        var line = before.Count((byte)'\n') + 1L;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (line, consumed - lineStart + 1);
    }
}
