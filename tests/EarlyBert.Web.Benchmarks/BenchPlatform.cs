using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Web.Benchmarks;

/// <summary>
/// The whole platform started through the AppHost as the end-to-end tests start it: local PostgreSQL and Ceph RGW
/// on free ports over a fresh state folder, deleted at the end.
/// </summary>
public sealed class BenchPlatform : IAsyncDisposable
{
    private readonly DistributedApplication app;
    private readonly string stateDirectory;

    private BenchPlatform(DistributedApplication app, string stateDirectory, TimeSpan startUpTime)
    {
        this.app = app;
        this.stateDirectory = stateDirectory;
        StartUpTime = startUpTime;
        WebUrl = app.GetEndpoint("web", "http");
        TrackerUrl = app.GetEndpoint("tracker", "http");
        var http = app.CreateHttpClient("tracker");
        http.Timeout = TimeSpan.FromMinutes(5);
        TrackerApiKey.Apply(http, AdminKey);
        Tracker = new TrackerClient(http);
    }

    /// <summary>
    /// The tracker's admin key, given to the AppHost as its parameter's value (so nothing is generated into the
    /// AppHost's user secrets); the benchmark's tracker client sends it.
    /// </summary>
    public static string AdminKey { get; } = TrackerApiKey.Generate();

    /// <summary>Time from building the AppHost to every service healthy.</summary>
    public TimeSpan StartUpTime { get; }

    /// <summary>The dashboard.</summary>
    public Uri WebUrl { get; }

    /// <summary>The tracker.</summary>
    public Uri TrackerUrl { get; }

    /// <summary>A client of the tracker.</summary>
    public TrackerClient Tracker { get; }

    public static async Task<BenchPlatform> StartAsync()
    {
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        var state = Directory.CreateTempSubdirectory("earlybert-web-bench-").FullName;
        // The local PostgreSQL runs as the postgres user, which must be able to reach its data folder.
        File.SetUnixFileMode(state, (UnixFileMode)0b111_101_101);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var clock = Stopwatch.StartNew();
        string[] arguments =
        [
            "--Infrastructure:Mode=local",
            $"--Infrastructure:StateDirectory={state}",
            $"--Infrastructure:PostgresPort={FreePort()}",
            $"--Infrastructure:CephMonitorPort={FreePort()}",
            $"--Infrastructure:S3Port={FreePort()}",
            // The benchmark's runs are reported through the API; nothing is queued for the worker.
            "--Trainer:QueueQuickstart=false",
            // Arguments of this process's in-memory AppHost; the trainer and the dashboard keys are generated.
            $"--Parameters:tracker-admin-key={AdminKey[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:trainer-api-key={TrackerApiKey.Generate()[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:web-api-key={TrackerApiKey.Generate()[TrackerApiKey.Prefix.Length..]}",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.EarlyBert_AppHost>(
            arguments, (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("EarlyBert.AppHost.Resources", LogLevel.Error));
        var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        foreach (var service in new[] { "tracker", "web" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }

        return new BenchPlatform(app, state, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            Console.Error.WriteLine($"Could not delete {stateDirectory}; delete it by hand.");
        }
        catch (UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {stateDirectory}; delete it by hand.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
