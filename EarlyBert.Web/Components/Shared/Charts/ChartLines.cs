using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Web.Components.Shared.Charts;

/// <summary>The x values of a line on each axis, and the way back from an x range to the steps it shows.</summary>
public static class ChartLines
{
    /// <summary>
    /// The x of each point of <paramref name="series"/> on <paramref name="axis"/>; null where the point has none
    /// (no epoch logged, or no timestamps in the answer). Time is seconds since <paramref name="timeOrigin"/>, the
    /// line's first point when null.
    /// </summary>
    public static double?[] X(DownsampledSeries series, ChartXAxis axis, DateTimeOffset? timeOrigin = null) => axis switch
    {
        ChartXAxis.Epoch => series.Epochs?.ToArray() ?? new double?[series.Steps.Count],
        ChartXAxis.Time when series.Timestamps is { Count: > 0 } stamps =>
            stamps.Select(t => (double?)(t - (timeOrigin ?? stamps[0])).TotalSeconds).ToArray(),
        ChartXAxis.Time => new double?[series.Steps.Count],
        _ => series.Steps.Select(s => (double?)s).ToArray(),
    };

    /// <summary>
    /// The steps to re-query so that <paramref name="lines"/> fill the x range <paramref name="x0"/>..<paramref name="x1"/>:
    /// on the step axis the range itself, on the others the steps of the points inside it widened by one point
    /// either side (so lines reach the edges); null when no point lies in it.
    /// </summary>
    public static StepRange? StepsIn(IReadOnlyList<ChartSeries> lines, ChartXAxis axis, double x0, double x1)
    {
        if (axis == ChartXAxis.Step)
        {
            return new StepRange((long)Math.Floor(x0), (long)Math.Ceiling(x1));
        }

        long? from = null, to = null;
        foreach (var line in lines)
        {
            var x = X(line.Series, axis, line.TimeOrigin);
            for (var i = 0; i < x.Length; i++)
            {
                if (x[i] is not { } value || value < x0 || value > x1)
                {
                    continue;
                }

                var before = line.Series.Steps[Math.Max(0, i - 1)];
                var after = line.Series.Steps[Math.Min(x.Length - 1, i + 1)];
                from = from is null ? before : Math.Min(from.Value, before);
                to = to is null ? after : Math.Max(to.Value, after);
            }
        }

        return from is { } f && to is { } t ? new StepRange(f, t) : null;
    }
}
