namespace EarlyBert.Tracker.Client.Authentication;

/// <summary>
/// The scopes an API key can hold. Each includes those before it: <see cref="Read"/> &lt; <see cref="Write"/> &lt;
/// <see cref="Admin"/>.
/// </summary>
public static class ApiKeyScopes
{
    /// <summary>GET and HEAD requests (and the live event streams).</summary>
    public const string Read = "read";

    /// <summary>Every other method: creating runs, logging data, uploading artifacts.</summary>
    public const string Write = "write";

    /// <summary>Key management (<c>/api/keys</c>).</summary>
    public const string Admin = "admin";

    /// <summary>Every scope, weakest first.</summary>
    public static IReadOnlyList<string> All { get; } = [Read, Write, Admin];

    /// <summary>Rank of <paramref name="scope"/> (0 read, 1 write, 2 admin); -1 for an unknown one.</summary>
    public static int Rank(string scope) => scope switch
    {
        Read => 0,
        Write => 1,
        Admin => 2,
        _ => -1,
    };

    /// <summary>The strongest of <paramref name="scopes"/>, which is what the key may do; null for none known.</summary>
    public static string? Strongest(IEnumerable<string> scopes) =>
        scopes.Where(s => Rank(s) >= 0).OrderByDescending(Rank).FirstOrDefault();
}

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="Name">What the key is for (a person, a machine, a program); at most 250 characters.</param>
/// <param name="Scopes">Its scopes, e.g. <c>["read"]</c> or <c>["read", "write"]</c> (see <see cref="ApiKeyScopes"/>).</param>
public sealed record CreateApiKey(string Name, IReadOnlyList<string> Scopes);

/// <summary>An API key as listed: never its hash, never its plaintext.</summary>
/// <param name="Id">Its id (what <c>DELETE /api/keys/{id}</c> takes).</param>
/// <param name="Name">What it is for.</param>
/// <param name="Prefix">Its first 12 characters, to tell keys apart (<see cref="TrackerApiKey.DisplayPrefix"/>).</param>
/// <param name="Scopes">Its scopes.</param>
/// <param name="Source"><c>api</c> (made through <c>POST /api/keys</c>) or <c>configuration</c> (<c>Tracker:ApiKeys</c>).</param>
/// <param name="CreatedAt">When it was made.</param>
/// <param name="LastUsedAt">When it was last used (to within a minute); null if never.</param>
/// <param name="RevokedAt">When it was revoked; null while it is valid.</param>
public sealed record ApiKeyInfo(
    Guid Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    string Source,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>Answer of <c>POST /api/keys</c>: the key itself, shown this once, and its record.</summary>
/// <param name="Key">The key to send (<c>Authorization: Bearer …</c>); the tracker keeps only its hash.</param>
/// <param name="ApiKey">Its record, as lists show it.</param>
public sealed record CreatedApiKey(string Key, ApiKeyInfo ApiKey);
