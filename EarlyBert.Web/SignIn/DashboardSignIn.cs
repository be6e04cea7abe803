using System.Net.Mime;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Sign-in to the dashboard: none while it listens only on loopback (local development, the AppHost); beyond loopback
/// every page and endpoint needs a signed-in user, except <c>/health</c>, <c>/alive</c>, static assets and the sign-in
/// page itself. Users sign in with a cookie, from a password (<see cref="DashboardSignInOptions.Users"/>) or through
/// OpenID Connect.
/// </summary>
public static class DashboardSignIn
{
    /// <summary>The sign-in page.</summary>
    public const string SignInPath = "/signin";

    /// <summary>Starts an OpenID Connect sign-in (<c>GET</c>, with <c>returnUrl</c>).</summary>
    public const string OidcPath = "/signin/oidc";

    /// <summary>Signs out (<c>POST</c> with the anti-forgery token).</summary>
    public const string SignOutPath = "/signout";

    /// <summary>The OpenID Connect scheme's name.</summary>
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Registers cookie sign-in, OpenID Connect when configured, and the check that someone can sign in.</summary>
    public static IHostApplicationBuilder AddDashboardSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardSignInOptions>().BindConfiguration(DashboardSignInOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SignInLimitsOptions>().BindConfiguration(SignInLimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<ListenAddresses>();
        builder.Services.AddHostedService<SignInGuard>();
        var authentication = builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = SignInPath;
                options.Cookie.Name = "EarlyBert.Dashboard";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            });
        var oidc = builder.Configuration.GetSection($"{DashboardSignInOptions.SectionName}:Oidc").Get<DashboardOidcOptions>();
        if (oidc?.IsConfigured == true)
        {
            authentication.AddOpenIdConnect(OidcScheme, options =>
            {
                options.Authority = oidc.Authority;
                options.ClientId = oidc.ClientId;
                options.ClientSecret = oidc.ClientSecret;
                options.ResponseType = "code";
                options.Scope.Add("profile");
                options.GetClaimsFromUserInfoEndpoint = true;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                // The cookie is the session; the provider's tokens are not kept (the dashboard calls nothing with them).
                options.SaveTokens = false;
            });
        }
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Authentication, then the rule that beyond loopback nothing but the open endpoints is served to anonymous users.</summary>
    public static IApplicationBuilder UseDashboardSignIn(this IApplicationBuilder app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            if (context.RequestServices.GetRequiredService<ListenAddresses>().LoopbackOnly
                || context.User.Identity?.IsAuthenticated == true
                || IsOpen(context))
            {
                await next(context);
                return;
            }
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Headers.Accept.Any(a => a?.Contains(MediaTypeNames.Text.Html, StringComparison.Ordinal) == true))
            {
                context.Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(context.Request.PathBase + context.Request.Path + context.Request.QueryString)}");
                return;
            }
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first",
                detail: $"The dashboard needs a signed-in user: sign in at {SignInPath}.").ExecuteAsync(context);
        });
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps <see cref="OidcPath"/> and <see cref="SignOutPath"/>.</summary>
    public static IEndpointRouteBuilder MapDashboardSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(OidcPath, (string? returnUrl, IOptions<DashboardSignInOptions> options) => options.Value.Oidc.IsConfigured
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) }, [OidcScheme])
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No OpenID Connect provider", detail: "Dashboard:Oidc is not configured."))
            .AllowAnonymous()
            .ExcludeFromDescription();
        // Form-bound, so the anti-forgery token is required: a cross-site form cannot sign a user out.
        endpoints.MapPost(SignOutPath, async (HttpContext context, [FromForm] string? returnUrl) =>
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                return Results.LocalRedirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(LocalOrRoot(returnUrl))}");
            })
            .ExcludeFromDescription();
        return endpoints;
    }

    /// <summary><paramref name="returnUrl"/> when it is a path on this site, otherwise <c>/</c>: a sign-in never sends a user elsewhere.</summary>
    public static string LocalOrRoot(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url : "/";

    /// <summary>A principal for the user <paramref name="name"/> signed in with a password.</summary>
    public static ClaimsPrincipal PasswordUser(string name) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], CookieAuthenticationDefaults.AuthenticationScheme));

    private static bool IsOpen(HttpContext context) =>
        context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) || context.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath)
        || context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null;
}
