using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.Playwright;

namespace EarlyBert.Web.Benchmarks;

/// <summary>
/// The measurement behind the dashboard's chart library (issue 10: "choose by measuring 20 series × 1,000 points
/// with zoom"): MudBlazor's server-rendered SVG chart against plotly.js, the same chart drawn in the same headless
/// Chromium, one after the other in one run. Needs no platform. Figures on stdout, progress on stderr.
/// </summary>
public sealed class ChartChoiceBench(BenchOptions options)
{
    // Resolves once the browser has painted what is in the DOM: the timeout runs after the next frame's paint.
    private const string Painted = "new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)))";

    /// <summary>Runs the measurement and prints its table.</summary>
    public async Task RunAsync()
    {
        var data = ChartChoiceData.Create();
        // "Zoom": the middle quarter of the steps, as a drag across the chart would ask for.
        var (zoomFrom, zoomTo) = (data.MaxStep * 0.375, data.MaxStep * 0.625);
        var zoomed = data.Window(zoomFrom, zoomTo);
        var repeats = options.Loads;
        Log($"Chart choice: {ChartChoiceData.SeriesCount} series × {ChartChoiceData.Points:N0} points, zoom to steps {zoomFrom:0}–{zoomTo:0} ({zoomed.Steps.Length} points per line), median of {repeats} after a warm-up");

        var mudAssets = Asset("MudBlazorAssets");
        var plotlyAssets = Asset("PlotlyBlazorAssets");
        var plotlyFile = Directory.GetFiles(plotlyAssets, "plotly-basic-*.min.js").Single();
        await using var browser = await BenchBrowser.LaunchAsync(new Uri("http://localhost/"));

        var css = Path.Combine(mudAssets, "MudBlazor.min.css");
        var mud = await MeasureMudBlazorAsync(browser, data, zoomed, css, repeats, tooltips: true);
        var lines = await MeasureMudBlazorAsync(browser, data, zoomed, css, repeats, tooltips: false);
        var plotly = await MeasurePlotlyAsync(browser, data, zoomFrom, zoomTo, plotlyFile, repeats);
        Print(mud, lines, plotly, Path.GetFileName(plotlyFile));
    }

    // One library's medians; null where the figure does not apply to it.
    private sealed record Figures(
        double? ServerMillis, double? ScriptMillis, double DrawMillis, double? ZoomServerMillis, double ZoomDrawMillis,
        double? HoverMillis, long ChartBytes, long? ScriptBytes, long? ZoomBytes, string Shape);

    // MudBlazor: the server renders the chart (what a circuit does on every change), the browser takes the markup as
    // its DOM and paints it; the zoom renders the chart again with the visible quarter and the browser swaps it in.
    private static async Task<Figures> MeasureMudBlazorAsync(BenchBrowser browser, ChartChoiceData data, ChartChoiceData zoomed, string css, int repeats, bool tooltips)
    {
        var name = tooltips ? "MudBlazor" : "MudBlazor without tooltips";
        using var render = new MudChartRender(tooltips);
        var page = await browser.NewPageAsync();
        await page.SetContentAsync($"""
            <!DOCTYPE html><html><head><style>{await File.ReadAllTextAsync(css)}</style>{render.ThemeMarkup()}</head>
            <body class="mud-typography"><div id="chart" style="width:{MudChartRender.Width + 40}px"></div></body></html>
            """);

        var server = new List<double>();
        var draws = new List<double>();
        var zoomServer = new List<double>();
        var zoomDraws = new List<double>();
        string markup = "", zoomMarkup = "", shape = "";
        for (var i = 0; i <= repeats; i++)
        {
            var (renderMillis, first) = render.Render(data, update: false);
            markup = first;
            var drawn = await DrawMarkupAsync(page, markup, clear: true);
            if (i == repeats)
            {
                shape = await ShapeAsync(page);
                await ScreenshotAsync(page, tooltips ? "mudblazor.png" : "mudblazor-without-tooltips.png");
            }

            var (zoomRender, second) = render.Render(zoomed, update: true);
            zoomMarkup = second;
            var zoomDrawn = await DrawMarkupAsync(page, zoomMarkup, clear: false);
            Log($"  {name} {(i == 0 ? "warm-up" : $"#{i}")}: server {renderMillis:0} ms, browser {drawn:0} ms; zoom server {zoomRender:0} ms, browser {zoomDrawn:0} ms");
            if (i == 0)
            {
                continue;
            }

            server.Add(renderMillis);
            draws.Add(drawn);
            zoomServer.Add(zoomRender);
            zoomDraws.Add(zoomDrawn);
        }

        await page.Context.CloseAsync();
        return new Figures(Median(server), null, Median(draws), Median(zoomServer), Median(zoomDraws), null,
            Encoding.UTF8.GetByteCount(markup), null, Encoding.UTF8.GetByteCount(zoomMarkup),
            $"{System.Text.RegularExpressions.Regex.Count(markup, "blazor:on")} event handlers for the circuit, {shape}");
    }

    // What the browser holds: proof that the lines were drawn, and what the drawing is made of.
    private static Task<string> ShapeAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
          const svg = document.querySelector('#chart svg');
          const paths = [...document.querySelectorAll('#chart path')];
          const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
          const tags = {};
          for (const e of document.querySelectorAll('#chart *')) tags[e.tagName.toLowerCase()] = (tags[e.tagName.toLowerCase()] || 0) + 1;
          const most = Object.entries(tags).sort((a, b) => b[1] - a[1]).slice(0, 4).map(([t, n]) => `${n} ${t}`).join(', ');
          return `${document.querySelectorAll('#chart *').length} elements (${most}), `
            + `${paths.filter(p => (p.getAttribute('d') || '').length > 1000).length} paths of over 1,000 characters, svg ${box.width.toFixed(0)}×${box.height.toFixed(0)} px`;
        }
        """);

    // The drawn chart, to look at: what was timed is what a user would see.
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "earlybert-chart-choice");
        Directory.CreateDirectory(folder);
        await page.Locator("#chart").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, name) });
        Log($"  screenshot {Path.Combine(folder, name)}");
    }

    // Hands the markup to the page first (not timed: it stands for the circuit's transfer, counted in bytes), then
    // times the DOM update and the paint, the work the browser does on a render batch.
    private static async Task<double> DrawMarkupAsync(IPage page, string markup, bool clear)
    {
        await page.EvaluateAsync($"async markup => {{ window.__markup = markup; if ({(clear ? "true" : "false")}) {{ document.getElementById('chart').replaceChildren(); await {Painted}; }} }}", markup);
        return await page.EvaluateAsync<double>($$"""
            async () => {
              const started = performance.now();
              document.getElementById('chart').innerHTML = window.__markup;
              await {{Painted}};
              return performance.now() - started;
            }
            """);
    }

    // plotly.js: the browser gets the script once and the chart's numbers (float64 x and y per line, as the dashboard
    // sends them), then draws on its own; the zoom is Plotly's own relayout of the x range.
    private static async Task<Figures> MeasurePlotlyAsync(BenchBrowser browser, ChartChoiceData data, double zoomFrom, double zoomTo, string plotlyFile, int repeats)
    {
        var script = await File.ReadAllTextAsync(plotlyFile);
        var draws = new List<double>();
        var zooms = new List<double>();
        var hovers = new List<double>();
        var scripts = new List<double>();
        var shape = "";
        for (var i = 0; i <= repeats; i++)
        {
            // A fresh page each time, so every draw is a first plot and the script's start-up is timed each time.
            var page = await browser.NewPageAsync();
            await page.SetContentAsync($"""<!DOCTYPE html><html><body style="margin:0"><div id="chart" style="width:{MudChartRender.Width + 40}px"></div></body></html>""");
            await page.EvaluateAsync("""
                ([source, steps, series, colors]) => {
                  window.__source = source;
                  const x = new Float64Array(steps);
                  window.__traces = series.map((s, i) => ({
                    type: 'scatter', mode: 'lines', name: s.name, x, y: new Float64Array(s.values), line: { color: colors[i], width: 1 },
                  }));
                }
                """, new object[] { script, data.Steps, data.Series.Select(s => new { name = s.Name, values = s.Values }).ToArray(), ChartChoiceData.Palette });
            var scriptMillis = await page.EvaluateAsync<double>("""
                () => {
                  const started = performance.now();
                  const element = document.createElement('script');
                  element.textContent = window.__source; // an inline script runs as it is inserted
                  document.head.appendChild(element);
                  return performance.now() - started;
                }
                """);
            // The dashboard's layout (ChartLayout.For): x-unified hover, a legend, 300 px high.
            var drawn = await page.EvaluateAsync<double>($$"""
                async () => {
                  const gd = document.getElementById('chart');
                  const layout = {
                    title: { text: 'train/loss' }, width: {{MudChartRender.Width}}, height: {{MudChartRender.Height}},
                    margin: { l: 50, r: 20, t: 40, b: 40 }, xaxis: { title: { text: 'step' } }, yaxis: { type: 'linear' },
                    hovermode: 'x unified', showlegend: true,
                  };
                  const started = performance.now();
                  // newPlot's promise settles after it has emitted plotly_afterplot.
                  await Plotly.newPlot(gd, window.__traces, layout, { displaylogo: false });
                  await {{Painted}};
                  return performance.now() - started;
                }
                """);
            if (i == repeats)
            {
                shape = await ShapeAsync(page);
                await ScreenshotAsync(page, "plotly.png");
            }

            var zoomedAt = await page.EvaluateAsync<double>($$"""
                async ([from, to]) => {
                  const gd = document.getElementById('chart');
                  const started = performance.now();
                  const afterplot = new Promise(resolve => gd.once('plotly_afterplot', resolve));
                  await Plotly.relayout(gd, { 'xaxis.range': [from, to] });
                  await Promise.race([afterplot, new Promise(resolve => setTimeout(resolve, 5000))]);
                  await {{Painted}};
                  return performance.now() - started;
                }
                """, new[] { zoomFrom, zoomTo });
            var hovered = await HoverAsync(page);
            Log($"  plotly.js {(i == 0 ? "warm-up" : $"#{i}")}: script {scriptMillis:0} ms, newPlot → afterplot painted {drawn:0} ms, zoom {zoomedAt:0} ms, hover {(hovered is { } h ? $"{h:0} ms" : "no label")}");
            await page.Context.CloseAsync();
            if (i == 0)
            {
                continue;
            }

            scripts.Add(scriptMillis);
            draws.Add(drawn);
            zooms.Add(zoomedAt);
            if (hovered is { } value)
            {
                hovers.Add(value);
            }
        }

        var dataBytes = (long)data.Series.Count * data.Steps.Length * 2 * sizeof(double);
        return new Figures(null, Median(scripts), Median(draws), null, Median(zooms), hovers.Count == 0 ? null : Median(hovers),
            dataBytes, new FileInfo(plotlyFile).Length, 0, shape);
    }

    // The pointer moved over the middle of the plot until Plotly shows the x-unified hover box of every line; timed
    // from this process, so it includes one DevTools round trip (a few ms).
    private static async Task<double?> HoverAsync(IPage page)
    {
        var box = await page.Locator("#chart .nsewdrag").First.BoundingBoxAsync();
        if (box is null)
        {
            return null;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await page.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        try
        {
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart .hoverlayer .legend .traces').length >= 20",
                null, new PageWaitForFunctionOptions { Timeout = 5_000, PollingInterval = 1 });
            return watch.Elapsed.TotalMilliseconds;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static void Print(Figures mud, Figures lines, Figures plotly, string plotlyFileName)
    {
        Console.WriteLine();
        Console.WriteLine($"Chart choice: {ChartChoiceData.SeriesCount} series × {ChartChoiceData.Points:N0} points, {MudChartRender.Width}×{MudChartRender.Height} px, medians; the machine is shared, so read the ratios (same run)");
        Console.WriteLine($"{"figure",-52} {"MudBlazor",11} {"Mud, no tips",12} {"plotly.js",11} {"plotly/Mud",11} {"plotly/no tips",14}");
        Row("server: render (ms)", mud.ServerMillis, lines.ServerMillis, plotly.ServerMillis);
        Row("browser: script start-up, once per page (ms)", mud.ScriptMillis, lines.ScriptMillis, plotly.ScriptMillis);
        Row("browser: draw, to painted (ms)", mud.DrawMillis, lines.DrawMillis, plotly.DrawMillis);
        Row("first chart: server + script + draw (ms)", Sum(mud.ServerMillis, mud.ScriptMillis, mud.DrawMillis),
            Sum(lines.ServerMillis, lines.ScriptMillis, lines.DrawMillis), Sum(plotly.ServerMillis, plotly.ScriptMillis, plotly.DrawMillis));
        Row("zoom to a quarter: server render (ms)", mud.ZoomServerMillis, lines.ZoomServerMillis, plotly.ZoomServerMillis);
        Row("zoom to a quarter: browser, to painted (ms)", mud.ZoomDrawMillis, lines.ZoomDrawMillis, plotly.ZoomDrawMillis);
        Row("zoom: server + browser (ms)", Sum(mud.ZoomServerMillis, mud.ZoomDrawMillis), Sum(lines.ZoomServerMillis, lines.ZoomDrawMillis),
            Sum(plotly.ZoomServerMillis, plotly.ZoomDrawMillis));
        Row("hover: pointer → all 20 values shown (ms)", mud.HoverMillis, lines.HoverMillis, plotly.HoverMillis);
        Row("bytes: the chart (markup; plotly: float64 x, y)", mud.ChartBytes, lines.ChartBytes, plotly.ChartBytes);
        Row("bytes: script, once per visit, cacheable", mud.ScriptBytes, lines.ScriptBytes, plotly.ScriptBytes);
        Row("bytes: the zoom", mud.ZoomBytes, lines.ZoomBytes, plotly.ZoomBytes);
        Console.WriteLine($"  MudBlazor: {mud.Shape}");
        Console.WriteLine($"  MudBlazor without tooltips: {lines.Shape}");
        Console.WriteLine($"  plotly.js ({plotlyFileName}): {plotly.Shape}");
        Console.WriteLine("  MudBlazor's markup stands for the circuit's render batch, of the same order (every element, attribute and coordinate");
        Console.WriteLine("  travels; the batch shares repeated strings); its browser time is one innerHTML, not Blazor's element-by-element DOM");
        Console.WriteLine("  updates, so both MudBlazor columns are its best case.");
        Console.WriteLine("  plotly's zoom is drawn from the numbers it holds; the dashboard then re-queries the visible steps (a second draw).");
        Console.WriteLine();
        Console.WriteLine($"{"what Compare needs",-22} {"MudBlazor 9.12.0 (MudChart, ChartType.Line)",-52} {"plotly.js (Plotly.Blazor 7.2.0's plotly-basic)",-48}");
        foreach (var (need, mudAnswer, plotlyAnswer) in Support)
        {
            Console.WriteLine($"{need,-22} {mudAnswer,-52} {plotlyAnswer,-48}");
        }
    }

    private static double? Sum(params double?[] values) => values.Any(v => v is not null) ? values.Sum(v => v ?? 0) : null;

    private static void Row(string figure, double? mud, double? lines, double? plotly)
    {
        static string Text(double? value) => value is { } v ? v.ToString(v >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) : "—";
        static string Ratio(double? plotly, double? mud) => mud is > 0 && plotly is { } p ? (p / mud.Value).ToString("0.00", CultureInfo.InvariantCulture) : "—";
        Console.WriteLine($"{figure,-52} {Text(mud),11} {Text(lines),12} {Text(plotly),11} {Ratio(plotly, mud),11} {Ratio(plotly, lines),14}");
    }

    // Read from MudBlazor 9.12.0's API (its XML documentation: ChartOptions, LineChartOptions, MudChart<T>) and from
    // plotly.js's layout reference.
    private static readonly (string Need, string MudBlazor, string Plotly)[] Support =
    [
        ("log y axis", "no: no axis type option", "yes: yaxis.type 'log'"),
        ("hover values", "one point's tooltip, a circuit round trip", "yes: all lines at x ('x unified'), in the page"),
        ("zoom", "no: render again with a range (as measured)", "yes: drag a box, double-click resets"),
        ("legend of 20 series", "yes: click hides a series (CanHideSeries)", "yes: click hides, double-click isolates"),
        ("numeric x axis", "no: a category per point, labels as given", "yes: steps, epochs or seconds, ticks chosen"),
    ];

    private static string Asset(string key) =>
        typeof(ChartChoiceBench).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"{key} is not set by the project file");

    private static void Log(string message) => Console.Error.WriteLine(message);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
