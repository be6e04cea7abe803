using EarlyBert.Tracker.Client.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// The one authorization rule of the API, chosen from the request rather than declared per endpoint, so that a new
/// endpoint is covered without a line of its own: GET and HEAD need <c>read</c>, other methods <c>write</c>, anything
/// under <c>/api/keys</c> <c>admin</c> (each scope includes the ones below it).
/// </summary>
internal sealed class ApiKeyScopeRequirement : AuthorizationHandler<ApiKeyScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>Name of the policy that every API endpoint requires.</summary>
    public const string PolicyName = "ApiKey";

    /// <summary>The scope <paramref name="request"/> needs.</summary>
    public static string RequiredScope(HttpRequest request) =>
        request.Path.StartsWithSegments(ApiKeysApi.Path) ? ApiKeyScopes.Admin
        : HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? ApiKeyScopes.Read
        : ApiKeyScopes.Write;

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiKeyScopeRequirement requirement)
    {
        var request = (context.Resource as HttpContext)?.Request;
        var scope = context.User.FindFirst(ApiKeyAuthenticationHandler.ScopeClaim)?.Value;
        if (request is null || scope is null)
        {
            context.Fail(new AuthorizationFailureReason(this, "No API key."));
            return Task.CompletedTask;
        }

        var needed = RequiredScope(request);
        if (ApiKeyScopes.Rank(scope) >= ApiKeyScopes.Rank(needed))
        {
            context.Succeed(requirement);
        }
        else
        {
            var what = needed == ApiKeyScopes.Admin ? $"{request.Method} {ApiKeysApi.Path}" : request.Method;
            context.Fail(new AuthorizationFailureReason(this, $"This key has scope {scope}; {what} needs {needed}."));
        }

        return Task.CompletedTask;
    }
}

/// <summary>Answers a key without the scope a request needs with a 403 that says which scope was missing.</summary>
internal sealed class ApiKeyForbiddenWriter : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    /// <inheritdoc />
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            return fallback.HandleAsync(next, context, policy, authorizeResult);
        }

        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message ?? "This key may not do this.";
        return ApiKeyRefusal.WriteAsync(context, StatusCodes.Status403Forbidden, "Missing scope", reason);
    }
}
