namespace EarlyBert.Training.Data.Email;

/// <summary>
/// One MIME entity (RFC 2045/2046) seen just enough to find its text: its content type with parameters, its
/// transfer encoding and its body. Text is LF-separated.
/// </summary>
internal sealed class MimeEntity
{
    private MimeEntity(string mediaType, Dictionary<string, string> parameters, string? transferEncoding, string body)
    {
        MediaType = mediaType;
        Parameters = parameters;
        TransferEncoding = transferEncoding;
        Body = body;
    }

    /// <summary>Lowercase <c>type/subtype</c>; <c>text/plain</c> when absent or malformed, as RFC 2045 says.</summary>
    public string MediaType { get; }

    /// <summary>Content-Type parameters by lowercase name, values unquoted.</summary>
    public Dictionary<string, string> Parameters { get; }

    public string? TransferEncoding { get; }

    public string Body { get; }

    public static MimeEntity Parse(string entity)
    {
        var (headers, body) = SplitHeaders(entity);
        var (mediaType, parameters) = ParseContentType(Header(headers, "content-type"));
        return new MimeEntity(mediaType, parameters, Header(headers, "content-transfer-encoding"), body);
    }

    /// <summary>The parts of a multipart body between its boundary lines; empty when no boundary line is found.</summary>
    public List<string> Parts(string boundary)
    {
        var parts = new List<string>();
        var delimiter = "--" + boundary;
        int? partStart = null;
        var lineStart = 0;
        while (lineStart <= Body.Length)
        {
            var lineEnd = Body.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = Body.Length;
            var line = Body.AsSpan(lineStart, lineEnd - lineStart);
            if (line.StartsWith(delimiter, StringComparison.Ordinal))
            {
                var rest = line[delimiter.Length..].TrimEnd();
                var closing = rest.SequenceEqual("--");
                if (rest.IsEmpty || closing)
                {
                    // The line break before a boundary line belongs to the boundary.
                    if (partStart is int start) parts.Add(Body[start..Math.Max(start, lineStart - 1)]);
                    if (closing) return parts;
                    partStart = Math.Min(lineEnd + 1, Body.Length);
                }
            }
            lineStart = lineEnd + 1;
        }
        if (partStart is int last) parts.Add(Body[last..]);
        return parts;
    }

    private static (string Headers, string Body) SplitHeaders(string entity)
    {
        if (entity.StartsWith('\n')) return ("", entity[1..]);
        var blank = entity.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank >= 0) return (entity[..blank], entity[(blank + 2)..]);
        // No blank line: all headers if it starts like one, else all body (a part that omitted its headers).
        var colon = entity.IndexOf(':');
        var firstLineEnd = entity.IndexOf('\n') is var n and >= 0 ? n : entity.Length;
        return colon > 0 && colon < firstLineEnd && !entity[..colon].Contains(' ') ? (entity, "") : ("", entity);
    }

    // The first header of that name, unfolded.
    private static string? Header(string headers, string name)
    {
        string? value = null;
        foreach (var line in headers.Split('\n'))
        {
            if (value is not null)
            {
                if (line.Length > 0 && line[0] is ' ' or '\t')
                {
                    value += " " + line.Trim();
                    continue;
                }
                return value.Trim();
            }
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                value = line[(name.Length + 1)..];
        }
        return value?.Trim();
    }

    private static (string MediaType, Dictionary<string, string> Parameters) ParseContentType(string? value)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is null) return ("text/plain", parameters);
        var pieces = SplitParameters(value);
        var mediaType = pieces[0].Trim().ToLowerInvariant();
        if (!mediaType.Contains('/')) mediaType = "text/plain";
        foreach (var piece in pieces.Skip(1))
        {
            var equals = piece.IndexOf('=');
            if (equals <= 0) continue;
            var key = piece[..equals].Trim().ToLowerInvariant();
            var parameter = piece[(equals + 1)..].Trim();
            if (parameter.Length >= 2 && parameter[0] == '"' && parameter[^1] == '"') parameter = parameter[1..^1];
            parameters.TryAdd(key, parameter);
        }
        return (mediaType, parameters);
    }

    // Splits at semicolons outside double quotes (a boundary may contain ';').
    private static List<string> SplitParameters(string value)
    {
        var pieces = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '"') quoted = !quoted;
            else if (value[i] == ';' && !quoted)
            {
                pieces.Add(value[start..i]);
                start = i + 1;
            }
        }
        pieces.Add(value[start..]);
        return pieces;
    }
}
