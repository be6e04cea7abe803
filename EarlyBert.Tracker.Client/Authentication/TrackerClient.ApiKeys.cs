using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Authentication;

namespace EarlyBert.Tracker.Client;

/// <summary>Key management: create, list and revoke API keys (the calling key needs the <c>admin</c> scope).</summary>
public sealed partial class TrackerClient
{
    /// <summary>Creates a key; the answer holds the key itself, which the tracker never shows again.</summary>
    public async Task<CreatedApiKey> CreateApiKeyAsync(CreateApiKey key, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/keys", key, ApiKeysJsonContext.Default.CreateApiKey, cancellationToken);
        return await ReadAsync(response, ApiKeysJsonContext.Default.CreatedApiKey, cancellationToken);
    }

    /// <summary>Lists every key, revoked ones included, oldest first.</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        GetAsync("api/keys", ApiKeysJsonContext.Default.IReadOnlyListApiKeyInfo, cancellationToken);

    /// <summary>Revokes a key at once (an unknown id is a 404; revoking a revoked key again is a no-op).</summary>
    public async Task RevokeApiKeyAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"api/keys/{id}", cancellationToken);
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
    }
}

/// <summary>
/// JSON metadata of the key management contracts, with the options of <see cref="TrackerJsonContext"/> (its own
/// context, as for the other contracts added in their own files).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateApiKey))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(ApiKeyInfo))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(List<ApiKeyInfo>))]
public sealed partial class ApiKeysJsonContext : JsonSerializerContext;
