using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Web.Components.Shared;

/// <summary>One line of a metric chart: a run's (downsampled) series under the name the legend shows.</summary>
/// <param name="Name">Legend name, usually the run's name.</param>
/// <param name="Series">The points.</param>
public sealed record ChartSeries(string Name, DownsampledSeries Series);
