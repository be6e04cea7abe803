namespace EarlyBert.Tracker.Events;

/// <summary>Registration of live run events.</summary>
public static class RunEventsServices
{
    /// <summary>
    /// Adds the broadcaster, the PostgreSQL notifier and listener that carry events between replicas, and the caps
    /// on subscribers (<see cref="EventStreamOptions"/>).
    /// </summary>
    public static IServiceCollection AddRunEvents(this IServiceCollection services)
    {
        services.AddOptions<EventStreamOptions>()
            .BindConfiguration(TrackerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<RunEventBroadcaster>();
        services.AddSingleton<EventSubscriberGate>();
        services.AddSingleton<RunEventListener>();
        services.AddHostedService(provider => provider.GetRequiredService<RunEventListener>());
        services.AddHostedService<RunEventNotifier>();
        return services;
    }
}
