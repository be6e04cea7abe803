using EarlyBert.Tracker.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;

namespace EarlyBert.Web;

/// <summary>Registration of everything the dashboard needs.</summary>
public static class DashboardServices
{
    /// <summary>Adds Blazor interactive server rendering, MudBlazor and the tracker client.</summary>
    public static IHostApplicationBuilder AddDashboardServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddTrackerClient(builder.Configuration["Tracker:BaseAddress"] ?? TrackerClientExtensions.DefaultBaseAddress);
        return builder;
    }
}
