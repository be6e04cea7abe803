using System.Text.Json.Serialization;
using EarlyBert.Tracker.ApiKeys;
using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Compare;
using EarlyBert.Tracker.Database;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Experiments;
using EarlyBert.Tracker.Exports;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Mlflow;
using EarlyBert.Tracker.Reproduction;
using EarlyBert.Tracker.RunData;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Workers;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EarlyBert.Tracker;

/// <summary>Registration and endpoint mapping of the whole tracker.</summary>
public static class TrackerServices
{
    /// <summary>
    /// Adds the database, artifact storage, options, JSON contracts, ProblemDetails for every error, the run stores
    /// and writers, live events and crash detection.
    /// </summary>
    public static IHostApplicationBuilder AddTrackerServices(this IHostApplicationBuilder builder)
    {
        builder.AddTrackerDatabase();
        builder.AddArtifactStorage();
        builder.AddApiKeys();
        builder.Services.AddOptions<TrackerOptions>()
            .BindConfiguration(TrackerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, TrackerJsonContext.Default);
            options.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            options.SerializerOptions.RespectNullableAnnotations = true;
            options.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        // Binding failures become exceptions that BadRequestExceptionHandler answers with a ProblemDetails.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<OutageExceptionHandler>();
        builder.Services.AddExportOptions();
        builder.Services.AddOpenApi();

        builder.Services.AddRunEvents();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddSingleton<RunBatchWriter>();
        builder.Services.AddSingleton<MetricReader>();
        builder.Services.AddSingleton<CompareQuery>();
        builder.Services.AddSingleton<ExperimentStore>();
        builder.Services.AddSingleton<WorkerStore>();
        builder.Services.AddSingleton<ReproductionStore>();
        builder.Services.AddMlflowApi();
        builder.Services.AddHostedService<CrashDetector>();
        return builder;
    }

    /// <summary>Maps every tracker endpoint.</summary>
    public static IEndpointRouteBuilder MapTrackerApi(this IEndpointRouteBuilder app)
    {
        app.MapApiKeysApi();
        app.MapWorkersApi();
        app.MapExperimentsApi();
        app.MapRunsApi();
        app.MapReproductionApi();
        app.MapRunDataApi();
        app.MapMetricsApi();
        app.MapCompareApi();
        app.MapArtifactsApi();
        app.MapExportsApi();
        app.MapEventsApi();
        app.MapMlflowApi();
        return app;
    }
}
