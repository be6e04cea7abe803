using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Components.Shared;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>Last and best value of one metric of one run, with their steps; nulls where the run has no such value.</summary>
/// <param name="Metric">Metric key.</param>
/// <param name="Run">Run label.</param>
/// <param name="Last">Value at the highest step.</param>
/// <param name="LastStep">The highest step.</param>
/// <param name="Best">Lowest value for losses, highest for anything else; NaN never counts as best.</param>
/// <param name="BestStep">The first step at which <paramref name="Best"/> was reached.</param>
public sealed record MetricSummary(string Metric, string Run, double? Last, long? LastStep, double? Best, long? BestStep)
{
    /// <summary>
    /// The summary of <paramref name="series"/>. Exact on a downsampled series too: the tracker keeps every bucket's
    /// minimum and maximum and the last point, so the best and the last value are always among the points it sends.
    /// </summary>
    public static MetricSummary Of(string metric, string run, DownsampledSeries? series)
    {
        if (series is null || series.Steps.Count == 0)
        {
            return new(metric, run, null, null, null, null);
        }

        var lowerIsBetter = MetricKeys.LowerIsBetter(metric);
        double? best = null;
        long? bestStep = null;
        for (var i = 0; i < series.Steps.Count; i++)
        {
            var value = series.Values[i];
            if (double.IsNaN(value))
            {
                continue;
            }

            if (best is null || (lowerIsBetter ? value < best : value > best))
            {
                (best, bestStep) = (value, series.Steps[i]);
            }
        }

        return new(metric, run, series.Values[^1], series.Steps[^1], best, bestStep);
    }
}
