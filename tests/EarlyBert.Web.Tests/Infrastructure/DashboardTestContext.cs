using Bunit;
using EarlyBert.Tracker.Client;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;

namespace EarlyBert.Web.Tests.Infrastructure;

/// <summary>A bUnit context with MudBlazor and a <see cref="TrackerClient"/> whose HTTP answers come from <see cref="Tracker"/>.</summary>
public abstract class DashboardTestContext : IAsyncLifetime
{
    /// <summary>The canned tracker behind the client.</summary>
    protected CannedTracker Tracker { get; } = new();

    /// <summary>The bUnit context. Held rather than inherited: MudBlazor's services only dispose asynchronously,
    /// and xunit 2 disposes test classes synchronously.</summary>
    protected BunitContext Context { get; } = new();

    static DashboardTestContext()
    {
        // bUnit's 1 s default is shorter than a render can take while the whole suite runs on two busy cores (the
        // test projects run side by side, one of them starting the platform); a failure still fails, only later.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(15);
    }

    protected DashboardTestContext()
    {
        // MudBlazor and Plotly call into JavaScript (popovers, charts); no browser runs here, so those calls are no-ops.
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Context.Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Context.Services.AddSingleton(TimeProvider.System);
        Context.Services.AddSingleton(new TrackerClient(new HttpClient(Tracker) { BaseAddress = new Uri("http://tracker/") }));
    }

    /// <summary>Renders <typeparamref name="TComponent"/> with the given parameters.</summary>
    protected IRenderedComponent<TComponent> Render<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent => Context.Render(parameters);

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await Context.DisposeAsync();
}
