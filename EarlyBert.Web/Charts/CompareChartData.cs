using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Components.Shared.Charts;

namespace EarlyBert.Web.Charts;

/// <summary>
/// <c>GET /compare/data?runs=a,b&amp;metric=K&amp;maxPoints=N&amp;fromStep=&amp;toStep=&amp;x=&amp;smooth=&amp;log=&amp;hide=</c>: one Compare chart's
/// lines as plain HTTP, so the browser starts fetching and drawing as soon as the page's first HTML arrives instead of
/// waiting for the circuit to start and send the series over it.
/// </summary>
/// <remarks>
/// The body is what <c>wwwroot/js/metric-chart.js</c> reads: a little-endian uint32 length, that many bytes of JSON
/// (<c>{ layout, traces: [{ name, color, width, opacity, faint, count }] }</c>), zero padding to a multiple of 8, then
/// per trace its x values and its y values as little-endian float64 (NaN a gap).
/// </remarks>
public static class CompareChartData
{
    /// <summary>
    /// Points per line the page asks for: about one per pixel of a half-width chart at 1280 px, all a line can show.
    /// Fixed in the address (rather than measured in the browser) so the first HTML can preload it.
    /// </summary>
    public const int DefaultMaxPoints = 600;

    /// <summary>Most points per line an address may ask for.</summary>
    public const int MostPoints = 5000;

    /// <summary>
    /// The address of one chart's data; <paramref name="range"/> null for the whole series, <paramref name="hidden"/>
    /// the runs whose lines are left out.
    /// </summary>
    public static string Href(IEnumerable<Guid> runIds, string metric, MetricChartOptions options, StepRange? range = null, IReadOnlyList<Guid>? hidden = null)
    {
        var href = $"/compare/data?runs={string.Join(',', runIds)}&metric={Uri.EscapeDataString(metric)}&maxPoints={DefaultMaxPoints}";
        if (options.XAxis != ChartXAxis.Step)
        {
            href += "&x=" + options.XAxis.ToString().ToLowerInvariant();
        }

        if (options.Smoothing > 0)
        {
            href += "&smooth=" + options.Smoothing.ToString("0.##", CultureInfo.InvariantCulture);
        }

        if (options.LogScale)
        {
            href += "&log=1";
        }

        if (hidden is { Count: > 0 })
        {
            href += "&hide=" + string.Join(',', hidden);
        }

        return range is { } r ? href + FormattableString.Invariant($"&fromStep={r.From}&toStep={r.To}") : href;
    }

    /// <summary>Maps the endpoint.</summary>
    public static IEndpointRouteBuilder MapCompareChartData(this IEndpointRouteBuilder app)
    {
        app.MapGet("/compare/data", GetAsync).WithName("CompareChartData");
        return app;
    }

    /// <summary>
    /// Asks the tracker for one metric of the runs and answers the chart's lines, each coloured by its run's position
    /// in <paramref name="runs"/> and without the lines of the runs in <paramref name="hide"/>. 400 (ProblemDetails) for
    /// an address that names no valid runs or metric, the tracker's 400/404 passed on, 502 when the tracker fails.
    /// </summary>
    public static async Task<IResult> GetAsync(
        string? runs, string? metric, int? maxPoints, long? fromStep, long? toStep, string? x, string? smooth, string? log, string? hide,
        TrackerClient tracker, TimeProvider time, HttpResponse response, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (runIds, error) = CompareQuery.ParseRuns(runs);
        if (error is not null)
        {
            return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid runs");
        }

        if (string.IsNullOrWhiteSpace(metric))
        {
            return Results.Problem("Say which metric to chart: ?metric=…", statusCode: StatusCodes.Status400BadRequest, title: "Invalid metric");
        }

        if (maxPoints is < 2 or > MostPoints)
        {
            return Results.Problem($"maxPoints must be between 2 and {MostPoints}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid maxPoints");
        }

        if (fromStep.HasValue != toStep.HasValue || fromStep > toStep)
        {
            return Results.Problem("fromStep and toStep come together, fromStep ≤ toStep.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid step range");
        }

        var view = CompareQuery.ParseView(null, null, x, smooth, log, hide);
        var options = view.Chart;
        var range = fromStep is { } from && toStep is { } to ? new StepRange(from, to) : (StepRange?)null;
        var logger = loggers.CreateLogger(typeof(CompareChartData));
        try
        {
            var started = time.GetTimestamp();
            var answer = await tracker.CompareAsync(runIds, [metric], maxPoints ?? DefaultMaxPoints, cancellationToken, range, options.NeedsTimes);
            var asked = time.GetElapsedTime(started);
            var labels = Comparability.FactsOf(answer).Select(f => f.Label).ToList();
            var series = answer.Metrics.FirstOrDefault(m => m.Key == metric)?.Series ?? [];
            // Time is counted from each run's first point, also when a zoomed range starts later: the whole series'
            // first timestamps come from a second, tiny ask.
            var origins = range is not null && options.XAxis == ChartXAxis.Time
                ? (await tracker.CompareAsync(runIds, [metric], 10, cancellationToken, null, withTimes: true)).Metrics
                    .FirstOrDefault(m => m.Key == metric)?.Series.Select(s => s?.Timestamps is [var first, ..] ? first : (DateTimeOffset?)null).ToList()
                : null;
            var lines = series
                .Select((s, i) => s is null || view.Hides(runIds[i]) ? null : new ChartSeries(labels[i], s, origins?[i], i))
                .OfType<ChartSeries>()
                .ToList();
            // The page's legend names the runs for all its charts at once; a legend per chart also cost each chart a
            // second layout pass in plotly.js (its margins grow to make room), the largest part of drawing it.
            var body = Body(ChartLayout.For(metric, options, legend: false), MetricChart.Traces(lines, options));
            var packed = time.GetElapsedTime(started) - asked;
            // Where a chart's wait went, in the browser's own timeline (resource timing's serverTiming) and the log.
            response.Headers["Server-Timing"] = FormattableString.Invariant($"tracker;dur={asked.TotalMilliseconds:0.0}, pack;dur={packed.TotalMilliseconds:0.0}");
            logger.LogDebug("Chart data of {Metric} for {Runs} runs: tracker {TrackerMs} ms, packed {PackMs} ms, {Bytes} bytes",
                metric, runIds.Count, asked.TotalMilliseconds, packed.TotalMilliseconds, body.Length);
            return Results.Bytes(body, "application/octet-stream");
        }
        catch (TrackerApiException exception) when (exception.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            return Results.Problem(exception.Message, statusCode: (int)exception.StatusCode, title: "The tracker refused the comparison");
        }
        catch (Exception exception) when (exception is TrackerApiException or HttpRequestException)
        {
            logger.LogWarning(exception, "Comparing runs {Runs} for the {Metric} chart failed", runs, metric);
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway, title: "The tracker could not be asked");
        }
    }

    /// <summary>The response body: JSON header, then the float64 values (see the class remarks).</summary>
    public static byte[] Body(object layout, IReadOnlyList<ChartTrace> traces)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            layout,
            traces = traces.Select(t => new { name = t.Name, color = t.Color, width = t.Width, opacity = t.Opacity, faint = t.Faint, count = t.X.Length }),
        });
        var start = (4 + header.Length + 7) / 8 * 8;
        var values = MetricChart.Pack(traces);
        var body = new byte[start + values.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)header.Length);
        header.CopyTo(body, 4);
        values.CopyTo(body, start);
        return body;
    }
}
