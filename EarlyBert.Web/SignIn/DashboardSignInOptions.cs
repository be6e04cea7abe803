using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Who may sign in to the dashboard when it listens beyond loopback (configuration section <c>Dashboard</c>):
/// users with password hashes (<c>Dashboard:Users:NAME:PasswordHash</c>) and/or an OpenID Connect provider
/// (<c>Dashboard:Oidc:Authority</c>, <c>ClientId</c>, <c>ClientSecret</c>).
/// </summary>
public sealed class DashboardSignInOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>Users by name; each holds a hash made by <c>hash-password</c>, never a password.</summary>
    public Dictionary<string, DashboardUser> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The OpenID Connect provider; sign-in through it is offered when its authority and client id are set.</summary>
    public DashboardOidcOptions Oidc { get; set; } = new();

    /// <summary>Whether anyone at all can sign in.</summary>
    public bool AnyoneCanSignIn => Users.Count > 0 || Oidc.IsConfigured;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, user) in Users)
        {
            if (!PasswordHashes.IsWellFormed(user.PasswordHash))
                yield return new ValidationResult(
                    $"{SectionName}:Users:{name}:PasswordHash is not a password hash made by hash-password (dotnet run --project EarlyBert.Web -- hash-password).");
        }
        if (Oidc.IsConfigured && !Uri.TryCreate(Oidc.Authority, UriKind.Absolute, out _))
            yield return new ValidationResult($"{SectionName}:Oidc:Authority must be an absolute URL, e.g. https://login.example.com/realm.");
    }
}

/// <summary>One dashboard user.</summary>
public sealed class DashboardUser
{
    /// <summary>The password's hash in ASP.NET Core Identity's format (see <see cref="PasswordHashes"/>).</summary>
    public string PasswordHash { get; set; } = "";
}

/// <summary>An OpenID Connect provider for dashboard sign-in (authorization code flow).</summary>
public sealed class DashboardOidcOptions
{
    /// <summary>The provider's issuer address; its <c>/.well-known/openid-configuration</c> is read from there.</summary>
    public string? Authority { get; set; }

    /// <summary>The dashboard's client id at the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The dashboard's client secret at the provider (a secret: give it through an environment variable or user secrets).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Whether the provider is set (authority and client id).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}
