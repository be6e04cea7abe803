namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// The rule for artifact paths: relative, '/'-separated, no '..' or '.' segments, no empty segments, no
/// backslashes, no control characters, at most 1,024 characters and 255 per segment.
/// </summary>
public static class ArtifactPath
{
    /// <summary>Longest path.</summary>
    public const int MaxLength = 1024;

    /// <summary>Longest segment.</summary>
    public const int MaxSegmentLength = 255;

    /// <summary>Null when <paramref name="path"/> is valid, else what is wrong with it.</summary>
    public static string? Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "An artifact path must not be empty.";
        }

        if (path.Length > MaxLength)
        {
            return $"An artifact path is at most {MaxLength} characters; this one has {path.Length}.";
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

    /// <summary>The S3 key of artifact <paramref name="path"/> of run <paramref name="runId"/>.</summary>
    public static string ObjectKey(Guid runId, string path) => $"runs/{runId}/{path}";
}
