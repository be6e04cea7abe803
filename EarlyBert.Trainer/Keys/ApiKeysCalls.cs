using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client;
using Microsoft.AspNetCore.Mvc;

namespace EarlyBert.Trainer.Keys;

/// <summary>Asks the tracker for a new key named <paramref name="Name"/> with <paramref name="Scopes"/> (<c>read</c>, <c>write</c>, <c>admin</c>).</summary>
internal sealed record CreateApiKey(string Name, IReadOnlyList<string> Scopes);

/// <summary>A key as the tracker lists it: never the key itself, only its first characters (<paramref name="Prefix"/>).</summary>
internal sealed record ApiKey(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, string Source,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just created: its record and the key, which the tracker shows this once.</summary>
internal sealed record CreatedApiKey(ApiKey Record, string Key);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateApiKey))]
[JsonSerializable(typeof(CreatedApiKey))]
[JsonSerializable(typeof(IReadOnlyList<ApiKey>))]
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class ApiKeysJsonContext : JsonSerializerContext;

/// <summary>
/// The tracker's key management routes (<c>POST/GET/DELETE /api/keys</c>, admin scope), called over
/// <paramref name="http"/>. The same calls as <c>TrackerClient</c>'s key methods, kept here until the client carries
/// them; errors are thrown as <see cref="TrackerApiException"/> like the client's.
/// </summary>
internal sealed class ApiKeysCalls(HttpClient http)
{
    private static ApiKeysJsonContext Json => ApiKeysJsonContext.Default;

    /// <summary>Creates a key; the answer holds the key, shown this once.</summary>
    public async Task<CreatedApiKey> CreateApiKeyAsync(CreateApiKey request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/keys", request, Json.CreateApiKey, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync(Json.CreatedApiKey, cancellationToken)
            ?? throw new InvalidDataException("The tracker answered the new key with an empty body.");
    }

    /// <summary>Lists every key, revoked ones included.</summary>
    public async Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("api/keys", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync(Json.IReadOnlyListApiKey, cancellationToken) ?? [];
    }

    /// <summary>Revokes the key <paramref name="id"/>: the tracker refuses it from then on.</summary>
    public async Task RevokeApiKeyAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"api/keys/{id}", cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        ProblemDetails? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            problem = await response.Content.ReadFromJsonAsync(Json.ProblemDetails, cancellationToken);
        throw new TrackerApiException(response.StatusCode, problem);
    }
}
