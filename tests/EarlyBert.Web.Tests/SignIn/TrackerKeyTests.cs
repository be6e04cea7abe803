using System.Collections.Concurrent;
using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.SignIn;

/// <summary>The dashboard's tracker client sends the dashboard's key, as a real HTTP server standing for the tracker receives it.</summary>
public sealed class TrackerKeyTests
{
    [Fact]
    public async Task The_dashboards_tracker_client_sends_the_key_from_EARLYBERT_API_KEY()
    {
        var key = TrackerApiKey.Generate();
        var authorizations = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var tracker = builder.Build();
        tracker.MapGet("/api/workers", (HttpContext context) =>
        {
            authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            return Results.Text("[]", "application/json");
        });
        await tracker.StartAsync();
        var address = tracker.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();

        var previous = Environment.GetEnvironmentVariable(TrackerApiKey.EnvironmentVariable);
        Environment.SetEnvironmentVariable(TrackerApiKey.EnvironmentVariable, key);
        try
        {
            await using var app = new DashboardApp(IPAddress.Loopback, new Dictionary<string, string?> { ["Tracker:BaseAddress"] = address });
            using var _ = app.Start();

            var workers = await app.Services.GetRequiredService<TrackerClient>().ListWorkersAsync(CancellationToken.None);

            Assert.Empty(workers);
            Assert.Equal($"Bearer {key}", Assert.Single(authorizations));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TrackerApiKey.EnvironmentVariable, previous);
        }
    }
}
