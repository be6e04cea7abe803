using System.Net;
using EarlyBert.Tracker.Client;

namespace EarlyBert.Web.Exports;

/// <summary>
/// <c>GET /runs/export.csv?filter=…&amp;orderBy=…&amp;params=a,b&amp;metrics=c,d</c>: the Runs page's view as CSV, streamed
/// from the tracker's <c>/api/runs/export.csv</c> through the dashboard (browsers cannot reach the tracker).
/// </summary>
public static class RunExports
{
    /// <summary>Maps the CSV download.</summary>
    public static IEndpointRouteBuilder MapRunExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs/export.csv", ExportAsync).WithName("ExportRuns");
        return app;
    }

    /// <summary>
    /// Opens the tracker's CSV and streams it into the response as it arrives. A filter the tracker refuses is a 400
    /// with the tracker's problem (its message, position and expectation); a failing tracker is a 502.
    /// </summary>
    public static async Task<IResult> ExportAsync(
        TrackerClient tracker, ILoggerFactory loggers, CancellationToken cancellationToken,
        string? filter = null, string? orderBy = null, string? @params = null, string? metrics = null)
    {
        Stream csv;
        try
        {
            csv = await tracker.OpenRunsCsvAsync(filter, orderBy, Split(@params), Split(metrics), cancellationToken);
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.BadRequest)
        {
            // The browser's own request was wrong (the filter or a column): say why, as the tracker did.
            var problem = exception.Problem;
            return Results.Problem(problem?.Detail ?? exception.Message, statusCode: StatusCodes.Status400BadRequest,
                title: problem?.Title ?? "Bad request", extensions: problem?.Extensions);
        }
        catch (Exception exception) when (exception is TrackerApiException or HttpRequestException)
        {
            loggers.CreateLogger(typeof(RunExports)).LogWarning(exception, "Exporting runs from the tracker failed");
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway, title: "The tracker could not be asked");
        }

        return Results.Stream(async body =>
        {
            await using (csv)
            {
                await csv.CopyToAsync(body, cancellationToken);
            }
        }, "text/csv; charset=utf-8", "runs.csv");
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
