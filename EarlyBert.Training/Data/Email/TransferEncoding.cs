using System.Text;

namespace EarlyBert.Training.Data.Email;

/// <summary>Content-Transfer-Encoding decoders (RFC 2045) that never fail: broken mail decodes as far as it can.</summary>
internal static class TransferEncoding
{
    public static string Decode(string body, string? encoding, string? charset) => encoding?.Trim().ToLowerInvariant() switch
    {
        "quoted-printable" => QuotedPrintable(body, charset),
        "base64" => Charsets.Decode(Base64(body), charset),
        _ => body, // 7bit, 8bit, binary: the corpus holds these parts already as text
    };

    /// <summary>
    /// Quoted-printable to text. Escaped bytes are decoded by the charset; a character beyond ASCII in the encoded
    /// body (the corpus stored raw 8-bit bytes as U+FFFD) is kept as it is.
    /// </summary>
    public static string QuotedPrintable(string body, string? charset)
    {
        var text = new StringBuilder(body.Length);
        var bytes = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '=')
            {
                var end = i + 1;
                while (end < body.Length && body[end] is ' ' or '\t') end++;
                if (end == body.Length || body[end] == '\n')
                {
                    i = end; // soft line break, with any whitespace a mailer left before it
                    continue;
                }
                if (i + 2 < body.Length && Hex(body[i + 1]) is var high and >= 0 && Hex(body[i + 2]) is var low and >= 0)
                {
                    bytes.Add((byte)(high * 16 + low));
                    i += 2;
                    continue;
                }
                bytes.Add((byte)'=');
            }
            else if (c > 0x7F)
            {
                Flush(bytes, charset, text);
                text.Append(c);
            }
            else
            {
                bytes.Add((byte)c);
            }
        }
        Flush(bytes, charset, text);
        return text.ToString();
    }

    /// <summary>Base64 to bytes, skipping characters outside the alphabet and stopping at padding.</summary>
    public static byte[] Base64(string body)
    {
        var bytes = new List<byte>(body.Length * 3 / 4);
        int buffer = 0, bits = 0;
        foreach (var c in body)
        {
            if (c == '=') break;
            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => -1,
            };
            if (value < 0) continue;
            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }
        return [.. bytes];
    }

    private static void Flush(List<byte> bytes, string? charset, StringBuilder text)
    {
        if (bytes.Count == 0) return;
        text.Append(Charsets.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), charset));
        bytes.Clear();
    }

    private static int Hex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
