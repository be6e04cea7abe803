namespace EarlyBert.Web.Tests.Infrastructure;

/// <summary>Tracker answers as the tracker writes them (camelCase JSON), built from a few facts.</summary>
public static class TrackerJson
{
    /// <summary>A run summary.</summary>
    public static string Summary(Guid id, string name, string status = "finished") =>
        $$"""{"id":"{{id}}","experiment":"default","name":"{{name}}","status":"{{status}}","createdAt":"2025-01-02T03:04:05+00:00"}""";

    /// <summary>A page of runs.</summary>
    public static string Page(long total, params string[] runs) => $$"""{"runs":[{{string.Join(',', runs)}}],"totalCount":{{total}}}""";
}

/// <summary>A whole run as <c>GET /api/runs/{id}</c> answers it.</summary>
public static class RunJson
{
    /// <summary>A run with the given facts; <paramref name="metadata"/> and <paramref name="params"/> are JSON objects.</summary>
    public static string Of(
        Guid id, string name, string status = "finished", string metadata = "{}", string @params = "{}", string metrics = "[]",
        string? reason = null, Guid? parent = null, string tags = "{}", string notes = "") => $$"""
        {"id":"{{id}}","experiment":"default","name":"{{name}}","status":"{{status}}",
         "statusReason":{{(reason is null ? "null" : $"\"{reason}\"")}},
         "createdAt":"2025-01-02T03:04:05+00:00","startedAt":"2025-01-02T03:04:06+00:00",
         "endedAt":{{(status is "running" or "queued" ? "null" : "\"2025-01-02T04:06:09+00:00\"")}},
         "heartbeatAt":null,"workerId":"box-42","parentRunId":{{(parent is null ? "null" : $"\"{parent}\"")}},
         "config":{},"notes":"{{notes}}","cancelRequested":false,"tags":{{tags}},"params":{{@params}},
         "metadata":{{metadata}},"metrics":{{metrics}}}
        """;

    /// <summary>A latest-metric entry.</summary>
    public static string Latest(string key, long step, double value) =>
        $$"""{"key":"{{key}}","step":{{step}},"value":{{value.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"epoch":null,"timestamp":"2025-01-02T03:05:00+00:00","pointCount":3,"minStep":0,"maxStep":{{step}}}""";

    /// <summary>A downsampled series.</summary>
    public static string Series(string key, long[] steps, double[] values) =>
        $$"""{"key":"{{key}}","totalPoints":{{steps.Length}},"downsampled":false,"steps":[{{string.Join(',', steps)}}],"values":[{{string.Join(',', values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}""";
}
