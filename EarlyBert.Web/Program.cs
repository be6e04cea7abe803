using EarlyBert.Web;
using EarlyBert.Web.Artifacts;
using EarlyBert.Web.Charts;
using EarlyBert.Web.Components;
using EarlyBert.Web.Exports;
using EarlyBert.Web.SignIn;

// `hash-password`: the one command, for Dashboard:Users:NAME:PasswordHash (the password is read from standard input).
if (args is [HashPasswordCommand.Name])
{
    return HashPasswordCommand.Run(Console.In, Console.Out, Console.Error);
}

// A refusal to start (nobody could sign in beyond loopback, a malformed setting) is the operator's to fix, not a crash:
// the reason in one line on standard error and exit code 1, instead of a stack trace and the runtime's abort (134).
// Only an exception that leaves Main gets here; a test host that starts the app catches it first.
AppDomain.CurrentDomain.UnhandledException += (_, unhandled) =>
{
    // Several invalid option sets arrive together in one AggregateException.
    var reasons = unhandled.ExceptionObject is AggregateException many ? many.InnerExceptions.ToList() : [(Exception)unhandled.ExceptionObject];
    if (reasons.All(reason => reason is SignInNotConfiguredException or Microsoft.Extensions.Options.OptionsValidationException))
    {
        foreach (var reason in reasons)
        {
            Console.Error.WriteLine($"The dashboard did not start: {reason.Message}");
        }

        Environment.Exit(1);
    }
};

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDashboardServices();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseDashboardSignIn();
app.UseAntiforgery();
// Static assets are served to anyone: the sign-in page needs its styles and scripts.
app.MapStaticAssets().Add(endpoint => endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute()));
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
app.MapArtifactDownloads();
app.MapCompareChartData();
app.MapRunExports();
app.MapDashboardSignIn();
app.MapDefaultEndpoints();

app.Run();
return 0;

/// <summary>The dashboard's entry point (public so that tests can start it with WebApplicationFactory).</summary>
public partial class Program;
