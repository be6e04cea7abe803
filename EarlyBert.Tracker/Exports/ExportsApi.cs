using System.Text;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Metrics;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Search;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Exports;

/// <summary>CSV downloads of run lists and metric series.</summary>
public static class ExportsApi
{
    private const int MaxRuns = 100_000;
    private const int MaxColumns = 200;

    /// <summary>Maps <c>/api/runs/export.csv</c> and <c>/api/runs/{runId}/metrics/series.csv</c>.</summary>
    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/runs/export.csv", RunsAsync)
            .WithName("ExportRunsCsv")
            .WithSummary("CSV of the runs matching filter, with the chosen params and metrics (latest values) as columns.")
            .WithTags("Exports");
        app.MapGet("/api/runs/{runId:guid}/metrics/series.csv", SeriesAsync)
            .WithName("ExportMetricSeriesCsv")
            .WithSummary("CSV of the full series of one metric: step, epoch, timestamp, value.")
            .WithTags("Exports");
        return app;
    }

    private static Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult> RunsAsync(
        RunExportQuery query, HttpContext context, string? filter = null, string? orderBy = null, string? @params = null, string? metrics = null)
    {
        var paramKeys = RunsApi.SplitKeys(@params);
        var metricKeys = RunsApi.SplitKeys(metrics);
        if (paramKeys.Count + metricKeys.Count > MaxColumns)
        {
            return Problems.Invalid("columns", $"At most {MaxColumns} param and metric columns.");
        }

        if (paramKeys.Concat(metricKeys).Select(Keys.Check).FirstOrDefault(p => p is not null) is { } keyProblem)
        {
            return Problems.Invalid("columns", keyProblem);
        }

        var parameters = new SqlParameters();
        string where;
        try
        {
            where = string.IsNullOrWhiteSpace(filter) ? "true" : SearchSqlTranslator.Translate(filter, parameters);
        }
        catch (SearchSyntaxException exception)
        {
            return RunsApi.SyntaxProblem(exception);
        }

        if (RunOrder.ToSql(orderBy, parameters) is not { } order)
        {
            return Problems.Invalid("orderBy", "orderBy is created, started, ended, name, status, experiment, metrics.<key> or params.<key>, optionally followed by asc or desc.");
        }

        return TypedResults.Stream(body => TimeLimitedExport.RunAsync(context, "runs.csv", async exportToken =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            var header = new[] { "id", "experiment", "name", "status", "created_at", "started_at", "ended_at", "worker" }
                .Concat(paramKeys.Select(k => "params." + k))
                .Concat(metricKeys.Select(k => "metrics." + k));
            await writer.WriteAsync((string.Join(',', header.Select(Csv.Field)) + "\r\n").AsMemory(), exportToken);
            await foreach (var (run, paramValues, metricValues) in query.ReadAsync(where, order, parameters, [.. paramKeys], [.. metricKeys], MaxRuns, exportToken))
            {
                var fields = new[]
                    {
                        run.Id.ToString(), run.Experiment, run.Name, run.Status, Csv.Time(run.CreatedAt), Csv.Time(run.StartedAt),
                        Csv.Time(run.EndedAt), run.WorkerId,
                    }
                    .Select(Csv.Field)
                    .Concat(paramValues.Select(Csv.Field))
                    .Concat(metricValues.Select(Csv.Number));
                await writer.WriteAsync((string.Join(',', fields) + "\r\n").AsMemory(), exportToken);
            }
        }), "text/csv; charset=utf-8", "runs.csv");
    }

    private static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> SeriesAsync(
        Guid runId, string? key, MetricReader metrics, HttpContext context, CancellationToken cancellationToken)
    {
        if (Keys.Check(key) is { } keyProblem)
        {
            return Problems.Invalid("key", keyProblem);
        }

        if (await MetricsApi.FindAsync(runId, key!, metrics, cancellationToken) is not { } series)
        {
            return MetricsApi.NoSuchSeries(runId, key!);
        }

        return TypedResults.Stream(body => TimeLimitedExport.RunAsync(context, "series.csv", async exportToken =>
        {
            await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024);
            await writer.WriteAsync("step,epoch,timestamp,value\r\n".AsMemory(), exportToken);
            await foreach (var point in metrics.ReadAllAsync(series.Id, exportToken))
            {
                await writer.WriteAsync($"{point.Step},{Csv.Number(point.Epoch)},{Csv.Time(point.Timestamp)},{Csv.Number(point.Value)}\r\n".AsMemory(), exportToken);
            }
        }), "text/csv; charset=utf-8", $"{runId}-{key!.Replace('/', '_')}.csv");
    }
}
