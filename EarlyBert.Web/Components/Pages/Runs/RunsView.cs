using System.Globalization;
using System.Text.RegularExpressions;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>
/// What the Runs page shows, as its address carries it: <c>/runs?filter=…&amp;orderBy=…&amp;columns=params.a,metrics.b</c>.
/// The address alone reproduces the view, and the CSV export asks the tracker for the same rows and columns.
/// </summary>
/// <param name="Filter">The filter in the tracker's search language; empty for every run.</param>
/// <param name="OrderBy">The tracker's <c>orderBy</c> (<c>metrics.eval/accuracy desc</c>); empty for newest first.</param>
/// <param name="ParamKeys">Param keys shown as columns, in order.</param>
/// <param name="MetricKeys">Metric keys shown as columns (latest values), in order.</param>
public sealed partial record RunsView(string Filter, string OrderBy, IReadOnlyList<string> ParamKeys, IReadOnlyList<string> MetricKeys)
{
    /// <summary>Prefix of a param column.</summary>
    public const string ParamsPrefix = "params.";

    /// <summary>Prefix of a metric column.</summary>
    public const string MetricsPrefix = "metrics.";

    /// <summary>Every run, newest first, no extra columns.</summary>
    public static RunsView Default { get; } = new("", "", [], []);

    /// <summary>The view the address's query parameters describe; unknown column prefixes are dropped.</summary>
    public static RunsView FromQuery(string? filter, string? orderBy, string? columns)
    {
        var parts = (columns ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        return new RunsView(
            filter?.Trim() ?? "",
            orderBy?.Trim() ?? "",
            parts.Where(c => c.StartsWith(ParamsPrefix, StringComparison.Ordinal) && c.Length > ParamsPrefix.Length).Select(c => c[ParamsPrefix.Length..]).ToList(),
            parts.Where(c => c.StartsWith(MetricsPrefix, StringComparison.Ordinal) && c.Length > MetricsPrefix.Length).Select(c => c[MetricsPrefix.Length..]).ToList());
    }

    /// <summary>The <c>columns</c> query value: <c>params.a,metrics.b</c>.</summary>
    public string Columns => string.Join(',', ParamKeys.Select(k => ParamsPrefix + k).Concat(MetricKeys.Select(k => MetricsPrefix + k)));

    /// <summary>The address of this view; parameters at their defaults are left out.</summary>
    public string Href => "/runs" + QueryString(("filter", Filter), ("orderBy", OrderBy), ("columns", Columns));

    /// <summary>The dashboard's CSV download of this view (see <c>Exports/RunExports.cs</c>).</summary>
    public string CsvHref => "/runs/export.csv" + QueryString(
        ("filter", Filter), ("orderBy", OrderBy), ("params", string.Join(',', ParamKeys)), ("metrics", string.Join(',', MetricKeys)));

    /// <summary>The same view with <paramref name="column"/> shown or hidden as a column (<c>params.x</c> or <c>metrics.y</c>).</summary>
    public RunsView Toggle(string column)
    {
        static IReadOnlyList<string> Flip(IReadOnlyList<string> keys, string key) =>
            keys.Contains(key, StringComparer.Ordinal) ? keys.Where(k => k != key).ToList() : [.. keys, key];

        if (column.StartsWith(ParamsPrefix, StringComparison.Ordinal))
        {
            return this with { ParamKeys = Flip(ParamKeys, column[ParamsPrefix.Length..]) };
        }

        return column.StartsWith(MetricsPrefix, StringComparison.Ordinal)
            ? this with { MetricKeys = Flip(MetricKeys, column[MetricsPrefix.Length..]) }
            : this;
    }

    /// <summary>The field and direction of <see cref="OrderBy"/> (<c>created</c>, descending when empty); null when it is not one the grid can show.</summary>
    public (string Field, bool Descending)? Sort
    {
        get
        {
            if (OrderBy.Length == 0)
            {
                return ("created", true);
            }

            var match = OrderPattern().Match(OrderBy);
            return match.Success
                ? (match.Groups["field"].Value, match.Groups["dir"].Value.Equals("desc", StringComparison.OrdinalIgnoreCase))
                : null;
        }
    }

    /// <summary>The <c>orderBy</c> for a sort on <paramref name="field"/>; empty for the tracker's default (newest first).</summary>
    public static string OrderByFor(string? field, bool descending) =>
        field is null || (field == "created" && descending) ? "" : string.Create(CultureInfo.InvariantCulture, $"{field} {(descending ? "desc" : "asc")}");

    /// <summary>Value equality over the key lists too (records compare lists by reference).</summary>
    public bool Equals(RunsView? other) =>
        other is not null && Filter == other.Filter && OrderBy == other.OrderBy
        && ParamKeys.SequenceEqual(other.ParamKeys, StringComparer.Ordinal) && MetricKeys.SequenceEqual(other.MetricKeys, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Filter, OrderBy, Columns);

    private static string QueryString(params (string Name, string Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value.Length > 0).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}").ToList();
        return present.Count == 0 ? "" : "?" + string.Join('&', present);
    }

    [GeneratedRegex(@"^(?<field>\S+)(\s+(?<dir>asc|desc))?$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderPattern();
}
