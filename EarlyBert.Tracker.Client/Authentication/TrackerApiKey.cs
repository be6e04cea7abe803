using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace EarlyBert.Tracker.Client.Authentication;

/// <summary>
/// The tracker's API keys as clients see them: <c>ebk_</c> followed by 43 URL-safe characters (256 random bits),
/// sent as <c>Authorization: Bearer KEY</c> (or, for clients that only speak Basic, as the password).
/// </summary>
public static class TrackerApiKey
{
    /// <summary>The recognisable start of every key, so a leaked one is found by secret scanners and in logs.</summary>
    public const string Prefix = "ebk_";

    /// <summary>
    /// Environment variable from which the trainer, the dashboard and the test programs take the key they send
    /// (an environment variable, not an argument, so that it never shows in <c>ps</c>).
    /// </summary>
    public const string EnvironmentVariable = "EARLYBERT_API_KEY";

    /// <summary>Length of <see cref="Prefix"/> plus the first characters shown in key lists to tell keys apart.</summary>
    public const int DisplayPrefixLength = 12;

    /// <summary>A new key: the prefix and 32 random bytes in base64url without padding.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="key"/> has the shape of a key (prefix, length, alphabet); says nothing of its validity.</summary>
    public static bool IsWellFormed(string? key) =>
        key is { Length: 47 } && key.StartsWith(Prefix, StringComparison.Ordinal)
        && key.AsSpan(Prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    /// <summary>The part of <paramref name="key"/> that lists show: the prefix and the next eight characters.</summary>
    public static string DisplayPrefix(string key) => key[..Math.Min(DisplayPrefixLength, key.Length)];

    /// <summary>Makes <paramref name="http"/> send <paramref name="key"/> with every request; nothing when the key is empty.</summary>
    public static void Apply(HttpClient http, string? key)
    {
        if (!string.IsNullOrWhiteSpace(key))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        }
    }

    /// <summary>The key from <see cref="EnvironmentVariable"/>, or <c>null</c> when it is not set.</summary>
    public static string? FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } key ? key.Trim() : null;
}
