namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// The rule for artifact paths: relative, '/'-separated, no '..' or '.' segments, no empty segments, no
/// backslashes, no control characters or lone surrogates, at most 255 characters per segment, and short enough that
/// the key <c>runs/{runId}/{path}</c> fits S3's limit of 1,024 bytes of UTF-8. Uploads now get keys of their own
/// (<see cref="ArtifactObjectKey"/>); the bound stays, so rows stored under that older layout and any copy of a run's
/// artifacts laid out by path still fit.
/// </summary>
public static class ArtifactPath
{
    /// <summary>S3's longest object key, in bytes of UTF-8.</summary>
    public const int MaxObjectKeyBytes = 1024;

    /// <summary>The MinIO client's longest object key, in UTF-16 characters.</summary>
    public const int MaxObjectKeyLength = 512;

    /// <summary>Length of the key's prefix <c>runs/{runId}/</c>.</summary>
    private const int PrefixLength = 42;

    /// <summary>Longest path in bytes of UTF-8: what S3's key limit leaves after the prefix.</summary>
    public const int MaxBytes = MaxObjectKeyBytes - PrefixLength;

    /// <summary>Longest path in characters: what the MinIO client's key limit leaves after the prefix.</summary>
    public const int MaxLength = MaxObjectKeyLength - PrefixLength;

    /// <summary>Longest segment.</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Null when <paramref name="path"/> is valid, else what is wrong with it.</summary>
    public static string? Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "An artifact path must not be empty.";
        }

        if (HasLoneSurrogate(path))
        {
            return "An artifact path must not contain lone UTF-16 surrogates.";
        }

        if (path.Length > MaxLength)
        {
            return $"An artifact path is at most {MaxLength} characters (its S3 key runs/{{runId}}/{{path}} at most {MaxObjectKeyLength}); this one has {path.Length}.";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(path) is var bytes && bytes > MaxBytes)
        {
            return $"An artifact path is at most {MaxBytes} bytes of UTF-8 (its S3 key runs/{{runId}}/{{path}} at most {MaxObjectKeyBytes}); this one has {bytes}.";
        }

        if (path.Any(char.IsControl))
        {
            return "An artifact path must not contain control characters.";
        }

        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return "An artifact path uses '/' as separator, never '\\'.";
        }

        if (path.StartsWith('/') || path.StartsWith('~') || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':'))
        {
            return "An artifact path is relative to the run: it must not start with '/', '~' or a drive letter.";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "An artifact path must not have empty segments ('//' or a trailing '/').";
            }

            if (segment is "." or "..")
            {
                return "An artifact path must not contain '.' or '..' segments.";
            }

            if (segment.Length > MaxSegmentLength)
            {
                return $"Each segment of an artifact path is at most {MaxSegmentLength} characters.";
            }
        }

        return null;
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The S3 key artifact <paramref name="path"/> of run <paramref name="runId"/> had before migration 0008, which
    /// points rows stored then at it; new uploads use <see cref="ArtifactObjectKey.For"/>.
    /// </summary>
    public static string ObjectKey(Guid runId, string path) => $"runs/{runId}/{path}";
}
