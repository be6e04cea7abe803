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
