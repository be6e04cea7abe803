namespace EarlyBert.Training.Data.Email;

/// <summary>
/// The body text of an email: headers dropped, multiparts walked, transfer encodings and charsets decoded, HTML
/// reduced to its text, whitespace collapsed. Attachments that are not text are skipped.
/// </summary>
internal static class MimeText
{
    // Deeper nesting than this is not mail but a trap.
    private const int MaxDepth = 16;

    public static string BodyText(string email)
    {
        var text = email.Contains('\r') ? email.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : email;
        return Whitespace.Collapse(Extract(text, 0).Text);
    }

    // Lower ranks win within multipart/alternative: plain text over anything that needs HTML stripped.
    private enum Kind
    {
        Plain,
        Mixed,
        Html,
        None,
    }

    private readonly record struct Part(string Text, Kind Kind)
    {
        public static readonly Part Empty = new("", Kind.None);

        public bool HasText => !string.IsNullOrWhiteSpace(Text);
    }

    private static Part Extract(string source, int depth)
    {
        if (depth > MaxDepth) return Part.Empty;
        var entity = MimeEntity.Parse(source);
        if (entity.MediaType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            var parts = entity.Parameters.TryGetValue("boundary", out var boundary) && boundary.Length > 0 ? entity.Parts(boundary) : [];
            // A multipart without its boundary lines is read as the plain text it then is.
            if (parts.Count == 0) return Leaf(entity, "text/plain");
            var children = parts.Select(part => Extract(part, depth + 1)).Where(child => child.HasText).ToList();
            if (children.Count == 0) return Part.Empty;
            if (entity.MediaType == "multipart/alternative") return children.OrderBy(child => child.Kind).First();
            return children.Count == 1 ? children[0] : new Part(string.Join("\n", children.Select(child => child.Text)), Kind.Mixed);
        }
        if (entity.MediaType == "message/rfc822") return Extract(entity.Body, depth + 1);
        return Leaf(entity, entity.MediaType);
    }

    private static Part Leaf(MimeEntity entity, string mediaType)
    {
        if (mediaType is not ("text/plain" or "text/html")) return Part.Empty;
        var text = TransferEncoding.Decode(entity.Body, entity.TransferEncoding, entity.Parameters.GetValueOrDefault("charset"));
        // Much spam labels an HTML page text/plain; its tags are no more readable for that.
        return mediaType == "text/html" || LooksLikeHtml(text) ? new Part(HtmlText.ToText(text), Kind.Html) : new Part(text, Kind.Plain);
    }

    private static bool LooksLikeHtml(string text) =>
        text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.Contains("<body", StringComparison.OrdinalIgnoreCase);
}
