using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using EarlyBert.Tracker.Client.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// Authenticates a request by its API key: <c>Authorization: Bearer KEY</c>, or HTTP Basic with the key as the
/// password and any user name (MLflow clients send <c>MLFLOW_TRACKING_TOKEN</c> as Bearer and
/// <c>MLFLOW_TRACKING_USERNAME</c>/<c>PASSWORD</c> as Basic). The key is found by its display prefix and its
/// SHA-256 compared in constant time. A refusal is a 401 ProblemDetails (MLflow's error shape under its prefixes)
/// saying what was wrong, never echoing the key.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyCache cache,
    ApiKeyUsageRecorder usage)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>Name of the authentication scheme.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>Claim holding the key's strongest scope.</summary>
    public const string ScopeClaim = "scope";

    private const string NoKey = "No API key: send 'Authorization: Bearer <key>' (or HTTP Basic with the key as the password).";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (ReadKey(header) is not { } key)
        {
            return AuthenticateResult.Fail("The Authorization header is neither 'Bearer <key>' nor HTTP Basic with the key as the password.");
        }

        if (!TrackerApiKey.IsWellFormed(key))
        {
            return AuthenticateResult.Fail($"The API key is malformed: a key is '{TrackerApiKey.Prefix}' and 43 base64url characters.");
        }

        var prefix = TrackerApiKey.DisplayPrefix(key);
        var stored = await cache.FindAsync(prefix, Context.RequestAborted);
        if (stored is null || !CryptographicOperations.FixedTimeEquals(ApiKeyStore.Hash(key), stored.Hash))
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }

        if (stored.RevokedAt is { } revokedAt)
        {
            return AuthenticateResult.Fail($"API key {prefix}… was revoked at {revokedAt:O}.");
        }

        usage.Record(stored.Id);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, stored.Id.ToString()),
                new Claim(ClaimTypes.Name, stored.Name),
                new Claim(ScopeClaim, stored.Scope),
            ],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var failure = result.Failure?.Message;
        // RFC 6750: a key that was sent but refused is an invalid_token.
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await ApiKeyRefusal.WriteAsync(Context, StatusCodes.Status401Unauthorized, failure is null ? "API key required" : "Invalid API key", failure ?? NoKey);
    }

    // The key from "Bearer KEY" or "Basic base64(user:KEY)"; a Basic header whose password is empty may carry the
    // key as the user name. Null for any other form.
    private static string? ReadKey(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) || string.IsNullOrWhiteSpace(value.Parameter))
        {
            return null;
        }

        if (value.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return value.Parameter.Trim();
        }

        if (!value.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = value.Parameter.Trim();
        var bytes = new byte[encoded.Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var length))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, length);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var password = text[(colon + 1)..];
        return password.Length > 0 ? password : text[..colon];
    }
}
