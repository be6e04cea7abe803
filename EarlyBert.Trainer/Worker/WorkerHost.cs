using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Trainer.Runs;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Training.Runtime;
using Microsoft.Extensions.Options;

namespace EarlyBert.Trainer.Worker;

/// <summary>The trainer as a long-running worker of the platform (what the AppHost starts: <c>worker</c>).</summary>
internal static class WorkerHost
{
    /// <summary>
    /// The host's configuration arguments, with <c>--tracker URL</c> turned into <c>--Worker:TrackerUrl=URL</c> and
    /// <c>--api-key KEY</c> into <c>--Worker:ApiKey=KEY</c>.
    /// </summary>
    public static string[] HostArguments(string[] args)
    {
        var shortForms = new Dictionary<string, string> { ["--tracker"] = "TrackerUrl", ["--api-key"] = "ApiKey" };
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (option, value) = args[i].Split('=', 2) is [var name, var given] ? (name, given) : (args[i], null);
            if (shortForms.TryGetValue(option, out var setting) && (value is not null || i + 1 < args.Length))
                result.Add($"--{WorkerOptions.SectionName}:{setting}={value ?? args[++i]}");
            else result.Add(args[i]);
        }
        return [.. result];
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();

        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HeartbeatStatus>();
        builder.Services.AddHealthChecks().AddCheck<HeartbeatStatus>("tracker-heartbeat");
        // The key: Worker:ApiKey (worker --api-key) or EARLYBERT_API_KEY, what the AppHost sets. Never logged.
        builder.Services.AddTrackerClient(builder.Configuration[$"{WorkerOptions.SectionName}:TrackerUrl"] ?? TrackerClientExtensions.DefaultBaseAddress,
            builder.Configuration[$"{WorkerOptions.SectionName}:ApiKey"] is { Length: > 0 } key ? key : TrackerApiKey.FromEnvironment());
        builder.Services.AddSingleton(services => new WorkerIdentity(
            services.GetRequiredService<IOptions<WorkerOptions>>().Value.WorkerId ?? $"{Environment.MachineName}-{Environment.ProcessId}"));
        // Everything a run logs goes through the durable spool (Spool:Directory, Spool:MaxBytes).
        builder.Services.AddRunSpool();
        builder.Services.AddSingleton(services => new RunExecutor(
            services.GetRequiredService<TrackerClient>(), services.GetRequiredService<RunSpool>(), services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<RunExecutor>>())
        {
            HeartbeatInterval = services.GetRequiredService<IOptions<WorkerOptions>>().Value.RunHeartbeatInterval,
        });
        builder.Services.AddHostedService<HeartbeatService>();
        builder.Services.AddHostedService<RunWorker>();

        // Resolve the device before serving: a worker asked for CUDA on a machine without it must fail at once,
        // visibly, rather than accept runs it cannot train.
        var device = DeviceSelector.Resolve(builder.Configuration[$"{WorkerOptions.SectionName}:Device"] ?? "auto");
        builder.Services.AddSingleton(new WorkerDevice(device, DeviceSelector.Describe(device)));

        var app = builder.Build();
        app.Logger.LogInformation("Trainer worker will train on {Device}", app.Services.GetRequiredService<WorkerDevice>().Description);
        app.MapDefaultEndpoints();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
