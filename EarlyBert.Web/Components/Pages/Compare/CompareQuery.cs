using System.Globalization;
using EarlyBert.Web.Components.Shared.Charts;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>Everything about the Compare view besides the runs, as its address holds it.</summary>
/// <param name="Metrics">Charted metrics; null: the page's default set; empty: none.</param>
/// <param name="OnlyDifferences">Only params and metadata that differ (<c>diff=1</c>).</param>
/// <param name="Chart">X axis (<c>x=step|epoch|time</c>), smoothing (<c>smooth=0..0.99</c>) and log scale (<c>log=1</c>).</param>
/// <param name="Hidden">Runs whose lines the charts leave out (<c>hide=a,b</c>, switched in the legend); null: none.</param>
public sealed record CompareView(IReadOnlyList<string>? Metrics, bool OnlyDifferences, MetricChartOptions Chart, IReadOnlyList<Guid>? Hidden = null)
{
    /// <summary>Whether the charts leave out <paramref name="runId"/>'s lines.</summary>
    public bool Hides(Guid runId) => Hidden?.Contains(runId) == true;
}

/// <summary>
/// The Compare page's address, <c>/compare?runs=a,b,c&amp;metrics=train/loss,eval/accuracy&amp;diff=1</c>: everything the
/// view shows follows from it, so a copied link reproduces the view.
/// </summary>
public static class CompareQuery
{
    /// <summary>Fewest runs a comparison takes.</summary>
    public const int MinRuns = 2;

    /// <summary>Most runs a comparison takes (the tracker's limit).</summary>
    public const int MaxRuns = 20;

    /// <summary>
    /// The address comparing <paramref name="runIds"/>, with the chosen metrics (null: the page's default set; empty:
    /// none) and the diff-only toggle.
    /// </summary>
    public static string Href(IEnumerable<Guid> runIds, IEnumerable<string>? metrics = null, bool onlyDifferences = false) =>
        Href(runIds, new CompareView(metrics?.ToList(), onlyDifferences, MetricChartOptions.Default));

    /// <summary>The address comparing <paramref name="runIds"/> as <paramref name="view"/>; defaults are left out.</summary>
    public static string Href(IEnumerable<Guid> runIds, CompareView view)
    {
        var href = "/compare?runs=" + string.Join(',', runIds);
        if (view.Metrics is not null)
        {
            href += "&metrics=" + string.Join(',', view.Metrics.Select(Uri.EscapeDataString));
        }

        if (view.OnlyDifferences)
        {
            href += "&diff=1";
        }

        if (view.Hidden is { Count: > 0 } hidden)
        {
            href += "&hide=" + string.Join(',', hidden);
        }

        if (view.Chart.XAxis != ChartXAxis.Step)
        {
            href += "&x=" + view.Chart.XAxis.ToString().ToLowerInvariant();
        }

        if (view.Chart.Smoothing > 0)
        {
            href += "&smooth=" + view.Chart.Smoothing.ToString("0.##", CultureInfo.InvariantCulture);
        }

        return view.Chart.LogScale ? href + "&log=1" : href;
    }

    /// <summary>
    /// Reads the view parameters; values that make no sense fall back to the default (step axis, no smoothing,
    /// linear, nothing hidden), smoothing is clamped to 0..<see cref="Ema.MaxWeight"/>.
    /// </summary>
    public static CompareView ParseView(string? metrics, string? diff, string? x, string? smooth, string? log, string? hide = null)
    {
        var axis = Enum.TryParse<ChartXAxis>(x, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(x, out _)
            ? parsed
            : ChartXAxis.Step;
        var weight = double.TryParse(smooth, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && double.IsFinite(w)
            ? Math.Round(Math.Clamp(w, 0, Ema.MaxWeight), 2)
            : 0;
        return new CompareView(metrics is null ? null : ParseMetrics(metrics), diff == "1", new MetricChartOptions(axis, weight, log == "1"), ParseHidden(hide));
    }

    /// <summary>Reads the <c>hide</c> parameter: the run ids it names, in order; what is not a run id is ignored.</summary>
    public static IReadOnlyList<Guid>? ParseHidden(string? hide)
    {
        var ids = (hide ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => Guid.TryParse(part, out var id) ? id : (Guid?)null)
            .OfType<Guid>()
            .Distinct()
            .ToList();
        return ids.Count == 0 ? null : ids;
    }

    /// <summary>
    /// Reads the <c>runs</c> parameter: the run ids in order, duplicates dropped, or the sentence that says why the
    /// address compares nothing.
    /// </summary>
    public static (IReadOnlyList<Guid> RunIds, string? Error) ParseRuns(string? runs)
    {
        var parts = (runs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ids = new List<Guid>();
        foreach (var part in parts)
        {
            if (!Guid.TryParse(part, out var id))
            {
                return ([], $"\"{part}\" is not a run id.");
            }

            if (!ids.Contains(id))
            {
                ids.Add(id);
            }
        }

        return ids.Count switch
        {
            < MinRuns => (ids, $"Choose between {MinRuns} and {MaxRuns} runs to compare; this address names {ids.Count}."),
            > MaxRuns => (ids, $"At most {MaxRuns} runs can be compared at once; this address names {ids.Count}."),
            _ => (ids, null),
        };
    }

    /// <summary>Reads the <c>metrics</c> parameter: metric keys in order, without duplicates.</summary>
    public static IReadOnlyList<string> ParseMetrics(string? metrics) =>
        (metrics ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
}
