namespace EarlyBert.Web.Components.Pages.Compare;

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
    public static string Href(IEnumerable<Guid> runIds, IEnumerable<string>? metrics = null, bool onlyDifferences = false)
    {
        var href = "/compare?runs=" + string.Join(',', runIds);
        if (metrics is not null)
        {
            href += "&metrics=" + string.Join(',', metrics.Select(Uri.EscapeDataString));
        }

        return onlyDifferences ? href + "&diff=1" : href;
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
