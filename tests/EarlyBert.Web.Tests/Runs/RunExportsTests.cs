using System.Net;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Web.Exports;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EarlyBert.Web.Tests.Runs;

public sealed class RunExportsTests
{
    private readonly CannedTracker tracker = new();

    private TrackerClient Client => new(new HttpClient(tracker) { BaseAddress = new Uri("http://tracker/") });

    private static DefaultHttpContext Context() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    private static string Body(HttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    [Fact]
    public async Task The_csv_streams_from_the_tracker_with_the_filter_order_and_columns_asked_for()
    {
        const string csv = "id,experiment,name,status,created_at,started_at,ended_at,worker,params.learning_rate,metrics.eval/accuracy\r\n";
        tracker.On("api/runs/export.csv?", () => Task.FromResult(CannedTracker.Answer(HttpStatusCode.OK, csv, "text/csv")));
        var context = Context();

        var result = await RunExports.ExportAsync(Client, NullLoggerFactory.Instance, CancellationToken.None,
            "params.learning_rate > 1e-5", "name asc", "learning_rate", "eval/accuracy");
        await result.ExecuteAsync(context);

        Assert.Equal("GET api/runs/export.csv?filter=params.learning_rate > 1e-5&orderBy=name asc&params=learning_rate&metrics=eval/accuracy", Assert.Single(tracker.Requests));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(csv, Body(context));
        Assert.StartsWith("text/csv", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Contains("filename=runs.csv", context.Response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_filter_is_a_400_with_the_trackers_position_and_expectation()
    {
        tracker.On("api/runs/export.csv?", () => Task.FromResult(CannedTracker.Answer(HttpStatusCode.BadRequest,
            """{"title":"Bad request","status":400,"detail":"Expected a value after '>'.","position":11,"expected":"a number or a quoted string"}""",
            "application/problem+json")));
        var context = Context();

        var result = await RunExports.ExportAsync(Client, NullLoggerFactory.Instance, CancellationToken.None, "params.lr >");
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        using var problem = JsonDocument.Parse(Body(context));
        Assert.Equal("Expected a value after '>'.", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal(11, problem.RootElement.GetProperty("position").GetInt32());
        Assert.Equal("a number or a quoted string", problem.RootElement.GetProperty("expected").GetString());
    }

    [Fact]
    public async Task An_unreachable_tracker_is_a_502()
    {
        tracker.Unreachable("api/runs/export.csv");
        var context = Context();

        var result = await RunExports.ExportAsync(Client, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.Contains("Connection refused", Body(context), StringComparison.Ordinal);
    }
}
