using System.Text.RegularExpressions;
using EarlyBert.Tracker.Search;

namespace EarlyBert.Tracker.Runs;

/// <summary>
/// The <c>orderBy</c> of a run list: an attribute (<c>created</c>, <c>started</c>, <c>ended</c>, <c>name</c>,
/// <c>status</c>, <c>experiment</c>) or <c>metrics.&lt;key&gt;</c> (latest value) or <c>params.&lt;key&gt;</c>,
/// then <c>asc</c> or <c>desc</c>. Params that are numbers sort by value, before text values; runs without the value sort last.
/// </summary>
internal static partial class RunOrder
{
    private static readonly Dictionary<string, string> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["created"] = "r.created_at",
        ["started"] = "r.started_at",
        ["ended"] = "r.ended_at",
        ["name"] = "r.name",
        ["status"] = "r.status",
        ["experiment"] = "e.name",
    };

    /// <summary>The ORDER BY list for <paramref name="orderBy"/>, or null when it is not valid.</summary>
    public static string? ToSql(string? orderBy, SqlParameters parameters)
    {
        if (string.IsNullOrWhiteSpace(orderBy))
        {
            return "r.created_at DESC, r.id";
        }

        var match = OrderPattern().Match(orderBy.Trim());
        if (!match.Success)
        {
            return null;
        }

        var field = match.Groups["field"].Value;
        var direction = match.Groups["dir"].Value.Equals("desc", StringComparison.OrdinalIgnoreCase) ? "DESC" : "ASC";
        string expression;
        if (Columns.TryGetValue(field, out var column))
        {
            expression = column;
        }
        else if (field.StartsWith("metrics.", StringComparison.OrdinalIgnoreCase) && Http.Keys.Check(field[8..]) is null)
        {
            expression = $"(SELECT x.last_value FROM metric_series x WHERE x.run_id = r.id AND x.key = {parameters.Add(field[8..])})";
        }
        else if (field.StartsWith("params.", StringComparison.OrdinalIgnoreCase) && Http.Keys.Check(field[7..]) is null)
        {
            // Numbers by value (so 1e-4 sorts above 5e-5), then text values as text, then runs without the param.
            var key = parameters.Add(field[7..]);
            return $"(SELECT earlybert_to_float8(x.value) FROM params x WHERE x.run_id = r.id AND x.key = {key}) {direction} NULLS LAST, " +
                $"(SELECT x.value FROM params x WHERE x.run_id = r.id AND x.key = {key}) {direction} NULLS LAST, r.id";
        }
        else
        {
            return null;
        }

        return $"{expression} {direction} NULLS LAST, r.id";
    }

    [GeneratedRegex(@"^(?<field>[A-Za-z0-9_./:\-]+)(\s+(?<dir>asc|desc))?$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderPattern();
}
