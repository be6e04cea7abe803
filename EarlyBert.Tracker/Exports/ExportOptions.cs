using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Tracker.Exports;

/// <summary>Limits of the streamed CSV exports (configuration section <c>Tracker:Exports</c>).</summary>
public sealed class ExportOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tracker:Exports";

    /// <summary>
    /// Longest time one export may stream. An export holds a database connection while it streams, so a reader that
    /// takes longer (a slow or stalled client) is cut off and the connection goes back to the pool. Default 5 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Registration of <see cref="ExportOptions"/>.</summary>
public static class ExportOptionsExtensions
{
    /// <summary>Binds and validates <see cref="ExportOptions"/> at start, and registers the runs CSV's query.</summary>
    public static IServiceCollection AddExportOptions(this IServiceCollection services)
    {
        services.AddSingleton<RunExportQuery>();
        services.AddOptions<ExportOptions>()
            .BindConfiguration(ExportOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}
