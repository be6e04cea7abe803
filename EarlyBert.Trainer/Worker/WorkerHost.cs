using EarlyBert.Tracker.Client;

namespace EarlyBert.Trainer.Worker;

/// <summary>The trainer as a long-running worker of the platform (what the AppHost starts).</summary>
internal static class WorkerHost
{
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
        builder.Services.AddTrackerClient(builder.Configuration[$"{WorkerOptions.SectionName}:TrackerUrl"] ?? TrackerClientExtensions.DefaultBaseAddress);
        builder.Services.AddHostedService<HeartbeatService>();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
