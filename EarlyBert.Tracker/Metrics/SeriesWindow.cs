using EarlyBert.Tracker.Client.Metrics;

namespace EarlyBert.Tracker.Metrics;

/// <summary>The part of a series a downsampled read covers: its steps clipped to the asked range.</summary>
/// <param name="Series">The series.</param>
/// <param name="From">First step to cover (the series' first step when no range was asked for).</param>
/// <param name="To">Last step to cover.</param>
/// <param name="EstimatedPoints">
/// Points in the window: exact without a range, else in proportion to the steps covered (training logs at a steady
/// cadence), which is only used to choose between raw points and summaries.
/// </param>
public readonly record struct SeriesWindow(SeriesInfo Series, long From, long To, long EstimatedPoints)
{
    /// <summary>The window of <paramref name="series"/> inside <paramref name="range"/>; null when they do not overlap.</summary>
    public static SeriesWindow? Of(SeriesInfo series, StepRange? range)
    {
        if (range is not { } r)
        {
            return new SeriesWindow(series, series.MinStep, series.MaxStep, series.PointCount);
        }

        var from = Math.Max(r.From, series.MinStep);
        var to = Math.Min(r.To, series.MaxStep);
        if (from > to)
        {
            return null;
        }

        // In doubles: over steps 0..long.MaxValue the step counts overflow a long.
        var share = ((double)to - from + 1) / ((double)series.MaxStep - series.MinStep + 1);
        return new SeriesWindow(series, from, to, Math.Max(1, (long)Math.Ceiling(series.PointCount * share)));
    }
}

/// <summary>
/// How a window of a series is read at one summary level: the summary buckets that lie wholly inside the window,
/// and at either end the steps of a bucket the window cuts, which are read from raw points so that no point outside
/// the window is returned.
/// </summary>
/// <param name="SeriesId">The series.</param>
/// <param name="Level">Summary level.</param>
/// <param name="FirstBucket">First whole bucket to read.</param>
/// <param name="LastBucket">Last whole bucket to read (before <paramref name="FirstBucket"/>: none).</param>
/// <param name="Edges">Inclusive step ranges to read from raw points.</param>
public sealed record SummaryRead(long SeriesId, int Level, long FirstBucket, long LastBucket, IReadOnlyList<(long From, long To)> Edges)
{
    /// <summary>The read of <paramref name="window"/> at <paramref name="level"/>.</summary>
    public static SummaryRead Of(SeriesWindow window, int level)
    {
        var shift = SummaryLevels.Shift(level);
        var mask = SummaryLevels.Width(level) - 1;
        var (from, to) = (window.From, window.To);
        var (first, last) = (from >> shift, to >> shift);
        var edges = new List<(long, long)>(2);

        // A bucket is cut only where the series has steps beyond the window's end: the series' own first and last
        // buckets hold nothing outside it.
        if (from > window.Series.MinStep && (from & mask) != 0)
        {
            edges.Add((from, Math.Min(to, ((first + 1) << shift) - 1)));
            first++;
        }

        if (to < window.Series.MaxStep && ((to + 1) & mask) != 0 && last >= first)
        {
            edges.Add((Math.Max(from, last << shift), to));
            last--;
        }

        return new SummaryRead(window.Series.Id, level, first, last, edges);
    }
}
