using System.Text.Json;
using Microsoft.Playwright;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>What Plotly drew in one of the dashboard's metric charts, read from the page.</summary>
/// <param name="Metric">The chart's metric key (<c>data-metric</c>).</param>
/// <param name="Traces">Traces Plotly holds for the chart (its <c>_fullData</c>).</param>
/// <param name="Paths">SVG line paths with a shape drawn in the chart's scatter layer.</param>
/// <param name="WebGl">Whether a WebGL trace drew on a sized canvas instead.</param>
/// <param name="LastX">The largest x of the first trace (to see a live point arrive), null without data.</param>
public sealed record DrawnChart(string Metric, int Traces, int Paths, bool WebGl, double? LastX)
{
    /// <summary>Whether something is visibly drawn: an SVG line or a WebGL canvas with a trace.</summary>
    public bool Drawn => Paths > 0 || WebGl;
}

/// <summary>Reads the state of every metric chart on a page through Plotly's graph divs.</summary>
public static class PlotlyProbe
{
    // Plotly keeps its resolved traces on the graph div as _fullData; an SVG scatter trace draws path elements with
    // a non-empty "d", a scattergl trace draws on canvases instead.
    private const string Script = """
        () => [...document.querySelectorAll('[data-test="metric-chart"]')].map(chart => {
          const gd = chart.querySelector('.js-plotly-plot');
          const full = (gd && gd._fullData) || [];
          const paths = gd ? [...gd.querySelectorAll('.scatterlayer .trace path')]
            .filter(p => (p.getAttribute('d') || '').length > 2).length : 0;
          const webGl = full.some(t => t.type === 'scattergl')
            && [...gd.querySelectorAll('canvas')].some(c => c.width > 0 && c.height > 0);
          const xs = gd && gd.data && gd.data[0] && gd.data[0].x ? Array.from(gd.data[0].x).map(Number) : [];
          return { metric: chart.dataset.metric || '', traces: full.length, paths, webGl,
                   lastX: xs.length ? Math.max(...xs) : null };
        })
        """;

    /// <summary>Every metric chart on <paramref name="page"/>, in page order.</summary>
    public static async Task<IReadOnlyList<DrawnChart>> ChartsAsync(IPage page)
    {
        var charts = await page.EvaluateAsync<JsonElement>(Script);
        return charts.EnumerateArray().Select(c => new DrawnChart(
            c.GetProperty("metric").GetString() ?? "",
            c.GetProperty("traces").GetInt32(),
            c.GetProperty("paths").GetInt32(),
            c.GetProperty("webGl").GetBoolean(),
            c.GetProperty("lastX").ValueKind == JsonValueKind.Number ? c.GetProperty("lastX").GetDouble() : null)).ToList();
    }

    /// <summary>Waits until <paramref name="page"/> shows <paramref name="count"/> charts and each has drawn a trace.</summary>
    public static async Task<IReadOnlyList<DrawnChart>> WaitUntilDrawnAsync(IPage page, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var charts = await ChartsAsync(page);
            if (charts.Count == count && charts.All(c => c.Drawn && c.Traces > 0))
            {
                return charts;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Expected {count} drawn charts within {timeout.TotalSeconds:0} s; the page has: "
                    + string.Join("; ", charts.Select(c => c.ToString())));
            }

            await Task.Delay(50);
        }
    }
}
