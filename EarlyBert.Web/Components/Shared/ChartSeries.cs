using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Web.Components.Shared;

/// <summary>One line of a metric chart: a run's (downsampled) series under the name the legend shows.</summary>
/// <param name="Name">Legend name, usually the run's name.</param>
/// <param name="Series">The points.</param>
/// <param name="TimeOrigin">
/// Zero of the time axis: the run's first point, kept when a zoomed re-query starts later; null: the line's first point.
/// </param>
/// <param name="Slot">
/// The run's position among the compared runs, which picks the line's colour (<see cref="Charts.ChartColors"/>); null:
/// the line's own position in the chart.
/// </param>
public sealed record ChartSeries(string Name, DownsampledSeries Series, DateTimeOffset? TimeOrigin = null, int? Slot = null);
