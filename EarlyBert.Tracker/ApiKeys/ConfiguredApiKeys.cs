using EarlyBert.Tracker.Client.Authentication;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// The platform's keys from configuration (section <c>Tracker:ApiKeys</c>), by name:
/// <c>Tracker:ApiKeys:&lt;name&gt;:Key</c> and <c>Tracker:ApiKeys:&lt;name&gt;:Scopes</c>.
/// </summary>
public sealed class ConfiguredApiKeys : Dictionary<string, ConfiguredApiKeyOptions>
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tracker:ApiKeys";

    /// <summary>Creates an empty set (names compare case-insensitively, as configuration keys do).</summary>
    public ConfiguredApiKeys()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

/// <summary>One configured key.</summary>
public sealed class ConfiguredApiKeyOptions
{
    /// <summary>The key in plaintext (<c>ebk_</c> and 43 base64url characters); the tracker stores only its hash.</summary>
    public string? Key { get; set; }

    /// <summary>Comma-separated scopes: <c>read</c>, <c>write</c>, <c>admin</c> (e.g. <c>read,write</c>).</summary>
    public string? Scopes { get; set; }

    /// <summary>The scopes, trimmed and lower-cased, without empties.</summary>
    public IReadOnlyList<string> ScopeList() =>
        [.. (Scopes ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant()).Distinct()];
}

/// <summary>
/// Refuses to start with a configured key that is malformed, without scopes, with an unknown scope, or shared by two
/// names. Messages name the setting, never the key.
/// </summary>
internal sealed class ConfiguredApiKeysValidator : IValidateOptions<ConfiguredApiKeys>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConfiguredApiKeys options)
    {
        var failures = new List<string>();
        foreach (var (keyName, key) in options)
        {
            var setting = $"{ConfiguredApiKeys.SectionName}:{keyName}";
            if (!TrackerApiKey.IsWellFormed(key.Key?.Trim()))
            {
                failures.Add($"{setting}:Key is not a well-formed API key ('{TrackerApiKey.Prefix}' and 43 base64url characters; make one with TrackerApiKey.Generate()).");
            }

            var scopes = key.ScopeList();
            if (scopes.Count == 0)
            {
                failures.Add($"{setting}:Scopes is empty: give one or more of {string.Join(", ", ApiKeyScopes.All)}, comma-separated.");
            }

            foreach (var unknown in scopes.Where(s => ApiKeyScopes.Rank(s) < 0))
            {
                failures.Add($"{setting}:Scopes has the unknown scope '{unknown}': the scopes are {string.Join(", ", ApiKeyScopes.All)}.");
            }
        }

        foreach (var shared in options.Where(k => TrackerApiKey.IsWellFormed(k.Value.Key?.Trim())).GroupBy(k => k.Value.Key!.Trim(), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            failures.Add($"{ConfiguredApiKeys.SectionName}: {string.Join(" and ", shared.Select(k => k.Key))} hold the same key; give each its own.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>At start, after the migrations: writes the configured keys' hashes and revokes configured keys that are gone.</summary>
internal sealed class ConfiguredApiKeySync(
    IOptions<ConfiguredApiKeys> options,
    ApiKeyStore store,
    ApiKeyCache cache,
    ILogger<ConfiguredApiKeySync> logger)
    : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = options.Value
            .Select(k => new ConfiguredApiKey(k.Key, TrackerApiKey.DisplayPrefix(k.Value.Key!.Trim()), ApiKeyStore.Hash(k.Value.Key!.Trim()), k.Value.ScopeList()))
            .ToList();
        await store.SyncConfiguredAsync(keys, cancellationToken);
        cache.Clear();
        logger.LogInformation("API keys from configuration: {Names}", keys.Count == 0 ? "none" : string.Join(", ", keys.Select(k => $"{k.Name} ({k.Prefix}…, {string.Join(',', k.Scopes)})")));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
