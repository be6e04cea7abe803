using Microsoft.Extensions.Options;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Refuses to run a dashboard that listens beyond loopback while nobody can sign in (no users, no OpenID Connect):
/// it would be either open to the network or of no use. Checked once the server has bound its addresses.
/// </summary>
internal sealed class SignInGuard(ListenAddresses addresses, IOptions<DashboardSignInOptions> options, ILogger<SignInGuard> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (addresses.LoopbackOnly)
        {
            logger.LogInformation("The dashboard listens on loopback only: no sign-in");
            return Task.CompletedTask;
        }
        if (!options.Value.AnyoneCanSignIn)
        {
            throw new SignInNotConfiguredException(
                $"The dashboard listens beyond loopback ({string.Join(", ", addresses.Beyond)}) but nobody can sign in: configure users " +
                "(Dashboard:Users:NAME:PasswordHash, from dotnet run --project EarlyBert.Web -- hash-password) or OpenID Connect " +
                "(Dashboard:Oidc:Authority, ClientId, ClientSecret), or listen on localhost only.");
        }
        logger.LogInformation("The dashboard listens beyond loopback ({Addresses}): sign-in required ({Users} users, OpenID Connect {Oidc})",
            string.Join(", ", addresses.Beyond), options.Value.Users.Count, options.Value.Oidc.IsConfigured ? "on" : "off");
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The dashboard listens beyond loopback while nobody can sign in; the message says what to configure.</summary>
public sealed class SignInNotConfiguredException(string message) : Exception(message);
