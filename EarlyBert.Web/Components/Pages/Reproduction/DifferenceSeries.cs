using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Shared;

namespace EarlyBert.Web.Components.Pages.Reproduction;

/// <summary>The tracker's per-step relative differences of a reproduction as lines of one chart.</summary>
public static class DifferenceSeries
{
    /// <summary>The chart's title (the metric its shared component is told it draws).</summary>
    public const string Title = "relative difference |a − b| / max(|a|, |b|)";

    /// <summary>
    /// One line per compared metric. <c>Infinity</c> (one run has no value at that step) becomes a gap: a line cannot
    /// draw it, and <see cref="MissingSteps"/> names those steps in words instead.
    /// </summary>
    public static IReadOnlyList<ChartSeries> Lines(IReadOnlyList<ReproductionSeries> differences) => differences
        .Select(d => new ChartSeries(d.Metric, new DownsampledSeries(
            d.Metric, d.Steps.Count, false, d.Steps,
            d.RelativeDifferences.Select(v => double.IsInfinity(v) ? double.NaN : v).ToArray())))
        .ToList();

    /// <summary>Per metric, the steps where only one of the two runs has a value (the tracker's <c>Infinity</c>).</summary>
    public static IReadOnlyList<(string Metric, IReadOnlyList<long> Steps)> MissingSteps(IReadOnlyList<ReproductionSeries> differences) => differences
        .Select(d => (d.Metric, (IReadOnlyList<long>)d.Steps.Where((_, i) => double.IsPositiveInfinity(d.RelativeDifferences[i])).ToList()))
        .Where(m => m.Item2.Count > 0)
        .ToList();

    /// <summary>Steps as words: the first ten, then how many more.</summary>
    public static string StepList(IReadOnlyList<long> steps) =>
        string.Join(", ", steps.Take(10)) + (steps.Count > 10 ? $" and {steps.Count - 10} more" : "");
}
