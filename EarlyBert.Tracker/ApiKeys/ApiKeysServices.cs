using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>Registration of API key authentication, the scope rule, the configured keys and key management.</summary>
public static class ApiKeysServices
{
    /// <summary>
    /// Adds the key store and cache, the usage recorder, the start-up sync of <c>Tracker:ApiKeys</c>, the
    /// <c>ApiKey</c> authentication scheme and the policy that <see cref="RequireApiKey{TBuilder}"/> applies.
    /// </summary>
    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<ApiKeyUsageRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<ApiKeyUsageRecorder>());

        services.AddOptions<ConfiguredApiKeys>().BindConfiguration(ConfiguredApiKeys.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConfiguredApiKeys>, ConfiguredApiKeysValidator>();
        // Registered after the database bootstrap (AddTrackerDatabase), so it runs once the migrations are applied.
        services.AddHostedService<ConfiguredApiKeySync>();

        // No default scheme: only endpoints that require the policy authenticate, so /health never reads a key.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyScopeRequirement.PolicyName, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .AddRequirements(new ApiKeyScopeRequirement()));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiKeyForbiddenWriter>();
        return builder;
    }

    /// <summary>
    /// Makes every endpoint of <paramref name="builder"/> (a route group holding the whole API) need an API key with
    /// the scope its method and path call for (see <see cref="ApiKeyScopeRequirement"/>).
    /// </summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(ApiKeyScopeRequirement.PolicyName);
}
