using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>Key management (scope <c>admin</c>): create, list, revoke.</summary>
public static class ApiKeysApi
{
    /// <summary>Path of the key management endpoints.</summary>
    public const string Path = "/api/keys";

    private const int MaxNameLength = 250;

    /// <summary>Maps <c>/api/keys</c>.</summary>
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("API keys");
        group.MapPost("/", CreateAsync)
            .WithName("CreateApiKey")
            .WithSummary("Creates an API key; the answer holds the key, shown this once.");
        group.MapGet("/", ListAsync)
            .WithName("ListApiKeys")
            .WithSummary("Lists API keys (prefix, scopes, source, created, last used, revoked); never a key or its hash.");
        group.MapDelete("/{id:guid}", RevokeAsync)
            .WithName("RevokeApiKey")
            .WithSummary("Revokes an API key at once.");
        return app;
    }

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateAsync(
        CreateApiKey request, ApiKeyStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength)
        {
            errors["name"] = [$"A key's name is 1 to {MaxNameLength} characters."];
        }

        var scopes = (request.Scopes ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (scopes.Count == 0 || scopes.Any(s => ApiKeyScopes.Rank(s) < 0))
        {
            errors["scopes"] = [$"Give one or more scopes of {string.Join(", ", ApiKeyScopes.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await store.CreateAsync(request.Name.Trim(), [.. scopes.OrderBy(ApiKeyScopes.Rank)], cancellationToken);
        loggers.CreateLogger(typeof(ApiKeysApi)).LogInformation(
            "Created API key {KeyId} {Name} ({Prefix}…, {Scopes})", created.ApiKey.Id, created.ApiKey.Name, created.ApiKey.Prefix, string.Join(',', created.ApiKey.Scopes));
        return TypedResults.Created((string?)null, created);
    }

    private static async Task<Ok<List<ApiKeyInfo>>> ListAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ApiKeyStore store, ApiKeyCache cache, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(id, cancellationToken))
        {
            return Problems.NotFound($"No API key {id}.");
        }

        cache.Clear();
        loggers.CreateLogger(typeof(ApiKeysApi)).LogInformation("Revoked API key {KeyId}", id);
        return TypedResults.NoContent();
    }
}
