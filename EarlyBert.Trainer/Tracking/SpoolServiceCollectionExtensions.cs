using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EarlyBert.Trainer.Tracking;

/// <summary>Registers the spool and its drainer.</summary>
public static class SpoolServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="RunSpool"/> (options from the configuration section <c>Spool</c>), <see cref="TrackerSink"/>
    /// as the <see cref="ITrackerSink"/> (needs the tracker client) and <see cref="SpoolDrainer"/> as a hosted
    /// service.
    /// </summary>
    public static IServiceCollection AddRunSpool(this IServiceCollection services)
    {
        services.AddOptions<SpoolOptions>().BindConfiguration(SpoolOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<SpoolOptions>>().Value);
        services.TryAddSingleton<RunSpool>();
        services.TryAddSingleton<ITrackerSink, TrackerSink>();
        services.TryAddSingleton<SpoolDrainer>();
        services.AddHostedService<SpoolDrainerService>();
        return services;
    }
}
