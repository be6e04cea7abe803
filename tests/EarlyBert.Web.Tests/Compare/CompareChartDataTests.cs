using System.Buffers.Binary;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Web.Charts;
using EarlyBert.Web.Components.Shared.Charts;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EarlyBert.Web.Tests.Compare;

/// <summary><c>/compare/data</c>: one Compare chart's lines over plain HTTP, in the body the chart module reads.</summary>
public sealed class CompareChartDataTests
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");
    private readonly CannedTracker tracker = new();
    private string lastServerTiming = "";

    private TrackerClient Client => new(new HttpClient(tracker) { BaseAddress = new Uri("http://tracker/") });

    private void CannedComparison() => tracker.Json("api/compare", $$"""
        {"runs":[{{TrackerJson.Summary(A, "otter")}},{{TrackerJson.Summary(B, "heron")}}],"params":[],"metadata":[],
         "metrics":[{"key":"eval/loss","latest":[0.3,0.4],"differs":true,
                     "series":[{{RunJson.Series("eval/loss", [10, 20], [0.25, double.NaN])}},{{RunJson.Series("eval/loss", [10, 20, 30], [0.5, 0.4, 0.35])}}]}],
         "metricKeys":["eval/loss"]}
        """.Replace("NaN", "\"NaN\"", StringComparison.Ordinal));

    private async Task<(int Status, byte[] Body)> GetAsync(
        string runs, string? metric = "eval/loss", int? maxPoints = null, long? fromStep = null, long? toStep = null, string? smooth = null, string? hide = null)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
            Response = { Body = new MemoryStream() },
        };
        var result = await CompareChartData.GetAsync(
            runs, metric, maxPoints, fromStep, toStep, null, smooth, null, hide, Client, TimeProvider.System, context.Response, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);
        lastServerTiming = context.Response.Headers["Server-Timing"].ToString();
        return (context.Response.StatusCode, ((MemoryStream)context.Response.Body).ToArray());
    }

    [Fact]
    public async Task The_body_is_the_layout_and_traces_as_json_then_each_traces_x_and_y_as_float64_with_gaps_kept()
    {
        CannedComparison();

        var (status, body) = await GetAsync($"{A},{B}");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.StartsWith("tracker;dur=", lastServerTiming, StringComparison.Ordinal);
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(body);
        using var header = JsonDocument.Parse(body.AsMemory(4, length));
        Assert.Equal("eval/loss", header.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
        var traces = header.RootElement.GetProperty("traces").EnumerateArray().ToList();
        Assert.Equal(["otter", "heron"], traces.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([2, 3], traces.Select(t => t.GetProperty("count").GetInt32()));
        var start = (4 + length + 7) / 8 * 8;
        Assert.Equal(0, start % 8);
        var values = Enumerable.Range(0, (body.Length - start) / 8)
            .Select(i => BinaryPrimitives.ReadDoubleLittleEndian(body.AsSpan(start + 8 * i)))
            .ToList();
        Assert.Equal([10, 20, 0.25, double.NaN, 10, 20, 30, 0.5, 0.4, 0.35], values);
    }

    [Fact]
    public async Task Lines_take_their_runs_colour_and_the_charts_leave_naming_them_to_the_pages_legend()
    {
        // The first run has not logged the metric: the second run's line still has the second colour.
        tracker.Json("api/compare", $$"""
            {"runs":[{{TrackerJson.Summary(A, "otter")}},{{TrackerJson.Summary(B, "heron")}}],"params":[],"metadata":[],
             "metrics":[{"key":"eval/loss","latest":[null,0.4],"differs":true,
                         "series":[null,{{RunJson.Series("eval/loss", [10, 20], [0.5, 0.4])}}]}],
             "metricKeys":["eval/loss"]}
            """);

        var header = Header((await GetAsync($"{A},{B}")).Body);

        var trace = Assert.Single(header.GetProperty("traces").EnumerateArray());
        Assert.Equal("heron", trace.GetProperty("name").GetString());
        Assert.Equal(ChartColors.For(1), trace.GetProperty("color").GetString());
        Assert.NotEqual(ChartColors.For(0), ChartColors.For(1));
        Assert.False(header.GetProperty("layout").GetProperty("showlegend").GetBoolean());
    }

    [Fact]
    public async Task Hidden_runs_lines_are_left_out_and_the_others_keep_their_colours()
    {
        CannedComparison();

        var (status, body) = await GetAsync($"{A},{B}", hide: $"{A},not-a-run");

        Assert.Equal(StatusCodes.Status200OK, status);
        var trace = Assert.Single(Header(body).GetProperty("traces").EnumerateArray());
        Assert.Equal("heron", trace.GetProperty("name").GetString());
        Assert.Equal(ChartColors.For(1), trace.GetProperty("color").GetString());
        Assert.Equal(3, trace.GetProperty("count").GetInt32());
        var start = (4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(body) + 7) / 8 * 8;
        Assert.Equal(start + 6 * 8, body.Length);
    }

    [Fact]
    public void The_address_names_the_hidden_runs_only_when_there_are_some()
    {
        var options = Components.Shared.Charts.MetricChartOptions.Default;

        Assert.DoesNotContain("hide", CompareChartData.Href([A, B], "eval/loss", options), StringComparison.Ordinal);
        Assert.EndsWith($"&hide={B}", CompareChartData.Href([A, B], "eval/loss", options, hidden: [B]), StringComparison.Ordinal);
    }

    private static JsonElement Header(byte[] body) =>
        JsonDocument.Parse(body.AsMemory(4, (int)BinaryPrimitives.ReadUInt32LittleEndian(body))).RootElement.Clone();

    [Fact]
    public async Task The_tracker_is_asked_for_the_metric_with_the_addresss_points_and_steps()
    {
        CannedComparison();

        var (status, _) = await GetAsync($"{A},{B}", maxPoints: 600, fromStep: 10, toStep: 20);

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal([$"GET api/compare?runs={A},{B}&metrics=eval/loss&maxPoints=600&fromStep=10&toStep=20"], tracker.Requests);
    }

    [Fact]
    public async Task Smoothing_draws_a_faint_raw_line_under_each_smoothed_one()
    {
        CannedComparison();

        var (_, body) = await GetAsync($"{A},{B}", smooth: "0.5");

        using var header = JsonDocument.Parse(body.AsMemory(4, (int)BinaryPrimitives.ReadUInt32LittleEndian(body)));
        Assert.Equal([true, false, true, false], header.RootElement.GetProperty("traces").EnumerateArray().Select(t => t.GetProperty("faint").GetBoolean()));
    }

    [Theory]
    [InlineData("one run")]
    [InlineData("no metric")]
    [InlineData("too many points")]
    [InlineData("half a range")]
    public async Task A_bad_address_is_a_400_problem_and_the_tracker_is_not_asked(string bad)
    {
        var (status, body) = bad switch
        {
            "one run" => await GetAsync($"{A}"),
            "no metric" => await GetAsync($"{A},{B}", metric: " "),
            "too many points" => await GetAsync($"{A},{B}", maxPoints: CompareChartData.MostPoints + 1),
            _ => await GetAsync($"{A},{B}", fromStep: 5),
        };

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Contains("\"status\":400", System.Text.Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        Assert.Empty(tracker.Requests);
    }

    [Fact]
    public async Task An_unreachable_tracker_is_a_502()
    {
        tracker.Unreachable("api/compare");

        var (status, _) = await GetAsync($"{A},{B}");

        Assert.Equal(StatusCodes.Status502BadGateway, status);
    }
}
