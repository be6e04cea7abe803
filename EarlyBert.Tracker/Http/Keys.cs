using System.Buffers;

namespace EarlyBert.Tracker.Http;

/// <summary>The rule every metric, param, tag and metadata key follows.</summary>
internal static class Keys
{
    /// <summary>Longest key.</summary>
    public const int MaxLength = 250;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:");

    /// <summary>Whether <paramref name="c"/> may appear in a key.</summary>
    public static bool IsKeyChar(char c) => Allowed.Contains(c);

    /// <summary>Null when <paramref name="key"/> is valid, else what is wrong with it.</summary>
    public static string? Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "A key must not be empty.";
        }

        if (key.Length > MaxLength)
        {
            return $"Key '{key[..40]}…' is {key.Length} characters; the limit is {MaxLength}.";
        }

        if (key.AsSpan().IndexOfAnyExcept(Allowed) is var bad and >= 0)
        {
            return $"Key '{key}' contains '{Printable(key[bad])}' at {bad}; keys use letters, digits and _ - . / : only.";
        }

        return null;
    }

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
}
