using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Web.SignIn;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace EarlyBert.Web;

/// <summary>Registration of everything the dashboard needs.</summary>
public static class DashboardServices
{
    /// <summary>The largest message the browser may send the circuit (1 MiB).</summary>
    public const int MaximumCircuitMessageBytes = 1024 * 1024;

    /// <summary>Adds Blazor interactive server rendering, MudBlazor and the tracker client.</summary>
    public static IHostApplicationBuilder AddDashboardServices(this IHostApplicationBuilder builder)
    {
        // The browser sends every page's persisted prerender state (Runs' first page, Compare's outline of up to 20 runs
        // with their params and metadata, a run) in the circuit's first message; SignalR's 32 KB default drops a larger
        // message and the circuit never starts (dotnet/aspnetcore#44935), leaving the page as dead static HTML.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(options => options.MaximumReceiveMessageSize = MaximumCircuitMessageBytes);
        builder.Services.AddMudServices();
        builder.Services.TryAddSingleton(TimeProvider.System);
        // The dashboard's own key (EARLYBERT_API_KEY, set by the AppHost); Tracker:ApiKey where configuration is preferred.
        builder.Services.AddTrackerClient(builder.Configuration["Tracker:BaseAddress"] ?? TrackerClientExtensions.DefaultBaseAddress,
            builder.Configuration["Tracker:ApiKey"] is { Length: > 0 } key ? key : TrackerApiKey.FromEnvironment());
        builder.AddDashboardSignIn();
        return builder;
    }
}
