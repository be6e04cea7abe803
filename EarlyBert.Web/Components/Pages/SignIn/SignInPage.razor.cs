using System.ComponentModel.DataAnnotations;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.SignIn;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace EarlyBert.Web.Components.Pages.SignIn;

/// <summary>
/// <c>/signin</c>: a user name and password checked against <c>Dashboard:Users</c>, and a button for OpenID Connect
/// when it is configured. Rendered on the server and posted as a form, since only an HTTP answer can set the cookie.
/// </summary>
public partial class SignInPage
{
    private string? error;

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    private IOptions<DashboardSignInOptions> Options { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<SignInPage> Logger { get; set; } = default!;

    [Inject]
    private SignInThrottle Throttle { get; set; } = default!;

    /// <summary>Where to go once signed in; only a path on this site is followed. The form posts to this same address, query included.</summary>
    [SupplyParameterFromQuery(Name = "returnUrl")]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromForm(FormName = "signin")]
    private SignInForm? Input { get; set; }

    /// <inheritdoc />
    protected override void OnInitialized() => Input ??= new SignInForm();

    private async Task SignInAsync()
    {
        if (Input is null) return;
        var client = HttpContext.Connection.RemoteIpAddress;
        if (Throttle.TryBegin(Input.UserName, client) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            Logger.LogWarning("Dashboard sign-in for user {UserName} from {Client} refused for {Seconds} s: too many failed attempts", Input.UserName, client, seconds);
            error = $"Too many failed sign-ins. Try again in {Formats.Duration(TimeSpan.FromSeconds(seconds))}.";
            HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        var users = Options.Value.Users;
        var hash = users.TryGetValue(Input.UserName, out var user) ? user.PasswordHash : null;
        // Verify runs for unknown names too (against a decoy), so timing does not tell which names exist.
        if (!PasswordHashes.Verify(hash, Input.Password) || user is null)
        {
            Logger.LogWarning("Dashboard sign-in refused for user {UserName} from {Client}", Input.UserName, client);
            error = "Wrong user name or password.";
            HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        Throttle.Succeeded(Input.UserName, client);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, DashboardSignIn.PasswordUser(Input.UserName));
        Logger.LogInformation("Dashboard user {UserName} signed in", Input.UserName);
        Navigation.NavigateTo(DashboardSignIn.LocalOrRoot(ReturnUrl));
    }

    /// <summary>The posted form.</summary>
    public sealed class SignInForm
    {
        /// <summary>The user's name, a key of <c>Dashboard:Users</c>.</summary>
        [Required(ErrorMessage = "Give your user name.")]
        [StringLength(256, ErrorMessage = "A user name has at most 256 characters.")]
        public string UserName { get; set; } = "";

        /// <summary>The password, checked against the user's hash and never kept.</summary>
        [Required(ErrorMessage = "Give your password.")]
        public string Password { get; set; } = "";
    }
}
