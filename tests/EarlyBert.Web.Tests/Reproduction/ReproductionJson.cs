using System.Globalization;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Reproduction;

/// <summary>Runs with a stored config and reproduction records, as the tracker writes them (camelCase JSON).</summary>
public static class ReproductionJson
{
    /// <summary>A stored config as a queued run carries it (what makes a run reproducible).</summary>
    public const string Config = """{"schema_version":1,"name":"smoke","training":{"threads":1,"epochs":1}}""";

    /// <summary><see cref="RunJson.Of"/> with <paramref name="config"/> stored and <paramref name="reproduction"/> (a JSON object or null).</summary>
    public static string Run(Guid id, string name, string status = "finished", Guid? parent = null, string config = Config, string? reproduction = null) =>
        RunJson.Of(id, name, status, parent: parent)
            .Replace("\"config\":{}", $"\"config\":{config}", StringComparison.Ordinal)
            .TrimEnd().TrimEnd('}') + $",\"reproduction\":{reproduction ?? "null"}}}";

    /// <summary>A reproduction record of <paramref name="parent"/>.</summary>
    public static string Record(
        Guid parent, string? verdict, string? description = null, string overrides = "{}", string? precondition = "passed",
        string environment = "[]", string? environmentNote = null, string? divergence = null, double? maxRelative = 0) => $$"""
        {"parentRunId":"{{parent}}","overrides":{{overrides}},"verdict":{{Text(verdict)}},"description":{{Text(description)}},
         "tolerance":0.0001,"maxRelativeDifference":{{Number(maxRelative)}},"firstDivergence":{{divergence ?? "null"}},
         "precondition":{{Text(precondition)}},"environmentDifferences":{{environment}},"environmentNote":{{Text(environmentNote)}},
         "judgedAt":{{(verdict is null ? "null" : "\"2025-01-02T04:07:00+00:00\"")}}}
        """;

    /// <summary>The answer of <c>GET /api/runs/{id}/reproduction</c>; <paramref name="differences"/> a JSON array.</summary>
    public static string Report(Guid id, string status, string record, string differences = "[]") =>
        $$"""{"runId":"{{id}}","status":"{{status}}","reproduction":{{record}},"differences":{{differences}}}""";

    /// <summary>One metric's relative differences per step; infinities as the tracker writes them.</summary>
    public static string Differences(string metric, long[] steps, double[] values) =>
        $$"""{"metric":"{{metric}}","steps":[{{string.Join(',', steps)}}],"relativeDifferences":[{{string.Join(',', values.Select(Json))}}]}""";

    private static string Json(double value) => double.IsPositiveInfinity(value) ? "\"Infinity\"" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(string? value) => value is null ? "null" : System.Text.Json.JsonSerializer.Serialize(value);

    private static string Number(double? value) => value is { } v ? Json(v) : "null";
}
