using System.Diagnostics;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.Playwright;

namespace EarlyBert.Web.Benchmarks;

/// <summary>The dashboard's timed scenarios; each figure is a median and comes with its tracker baseline.</summary>
public sealed class DashboardBench(BenchPlatform platform, BenchBrowser browser, BenchOptions options)
{
    private readonly List<(string Figure, double? Millis, string Baseline, double? BaselineMillis, double Target, string Note)> results = [];

    // Every metric chart holds the expected traces and shows them: an SVG line with a shape, or a sized WebGL canvas.
    private const string ChartsDrawn = """
        ([charts, traces]) => {
          const all = [...document.querySelectorAll('[data-test="metric-chart"] .js-plotly-plot')];
          return all.length === charts && all.every(gd => {
            const full = gd._fullData || [];
            const svg = [...gd.querySelectorAll('.scatterlayer .trace path')].some(p => (p.getAttribute('d') || '').length > 2);
            const gl = full.some(t => t.type === 'scattergl') && [...gd.querySelectorAll('canvas')].some(c => c.width > 0);
            return full.length >= traces && (svg || gl);
          });
        }
        """;

    /// <summary>Compare of 20 runs × 3 metrics: navigation to every chart drawn, and to a zoom answered.</summary>
    public async Task CompareAsync()
    {
        var clock = Stopwatch.StartNew();
        var ids = await BenchData.CompareRunsAsync(platform.Tracker, BenchOptions.CompareRuns, options.Points, BenchOptions.Metrics, CancellationToken.None);
        var total = (long)BenchOptions.CompareRuns * BenchOptions.Metrics.Length * options.Points;
        Console.WriteLine($"Loaded {total:N0} points ({BenchOptions.CompareRuns} runs × {BenchOptions.Metrics.Length} metrics × {options.Points:N0}) in {clock.Elapsed.TotalSeconds:0.0} s ({total / clock.Elapsed.TotalSeconds:N0} points/s)");

        var api = await MedianAsync(20, () => platform.Tracker.CompareAsync(ids, BenchOptions.Metrics, 1000, CancellationToken.None));
        var url = $"/compare?runs={string.Join(',', ids)}&metrics={string.Join(',', BenchOptions.Metrics.Select(Uri.EscapeDataString))}";
        var drawn = new List<double>();
        var interactive = new List<double>();
        var requery = new List<double>();
        for (var load = 0; load <= options.Loads; load++)
        {
            var page = await browser.NewPageAsync();
            // Profiled on the warm-up load, whose time is not counted: sampling slows the page.
            var profiler = options.Profile && load == 0 ? await BrowserProfile.StartAsync(page) : null;
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync(ChartsDrawn, new object[] { BenchOptions.Metrics.Length, BenchOptions.CompareRuns });
            var drawnAt = watch.Elapsed.TotalMilliseconds;
            if (load == 1)
            {
                await PrintTimelineAsync(page);
            }

            if (profiler is not null)
            {
                await profiler.StopAndPrintAsync();
            }

            // A zoom on the first chart to the middle tenth of the steps: answered when Plotly has redrawn it.
            await page.EvaluateAsync("""
                async (maxStep) => {
                  const gd = document.querySelector('[data-test="metric-chart"] .js-plotly-plot');
                  window.__ebBefore = gd.data[0].x;
                  await Plotly.relayout(gd, { 'xaxis.range': [maxStep * 0.45, maxStep * 0.55] });
                }
                """, options.Points);
            var interactiveAt = watch.Elapsed.TotalMilliseconds;
            // The dashboard re-queries the tracker's downsampled series for the visible range after a zoom.
            double? requeryAt = null;
            try
            {
                await page.WaitForFunctionAsync("""
                    () => {
                      // The plot may be between the prerendered page and the circuit's for a moment.
                      const gd = document.querySelector('[data-test="metric-chart"] .js-plotly-plot');
                      return !!gd && !!gd.data && gd.data[0].x !== window.__ebBefore;
                    }
                    """, null, new PageWaitForFunctionOptions { Timeout = 5_000 });
                requeryAt = watch.Elapsed.TotalMilliseconds;
            }
            catch (TimeoutException)
            {
            }

            await page.Context.CloseAsync();
            Console.WriteLine($"  compare load {load}{(load == 0 ? " (warm-up)" : "")}: drawn {drawnAt:0} ms, zoom answered {interactiveAt:0} ms, zoom re-queried {(requeryAt is { } r ? $"{r:0} ms" : "no (within 5 s)")}");
            if (load == 0)
            {
                continue;
            }

            drawn.Add(drawnAt);
            interactive.Add(interactiveAt);
            if (requeryAt is { } at)
            {
                requery.Add(at);
            }
        }

        // The same navigation by a returning user: one browser profile, whose HTTP cache and compiled-script cache
        // (Chromium keeps plotly.js compiled after it has run it) outlive each page. Two warm-up loads fill them.
        var warm = new List<double>();
        var profile = await browser.NewContextAsync();
        for (var load = 0; load < options.Loads + 2; load++)
        {
            var page = await browser.NewPageAsync(profile);
            var watch = Stopwatch.StartNew();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync(ChartsDrawn, new object[] { BenchOptions.Metrics.Length, BenchOptions.CompareRuns });
            var drawnAt = watch.Elapsed.TotalMilliseconds;
            await page.CloseAsync();
            Console.WriteLine($"  compare load {load} in a returning browser{(load < 2 ? " (warm-up)" : "")}: drawn {drawnAt:0} ms");
            if (load >= 2)
            {
                warm.Add(drawnAt);
            }
        }

        await profile.CloseAsync();

        var baseline = $"GET /api/compare (20 runs, 3 metrics, maxPoints 1000)";
        Add("Compare: navigation → 3 charts × 20 traces drawn", Median(drawn), baseline, api, 1000, "");
        Add("Compare, returning browser (cached): navigation → drawn", Median(warm), baseline, api, 1000, "");
        Add("Compare: navigation → zoom answered (relayout drawn)", Median(interactive), baseline, api, 1000, "");
        Add("Compare: navigation → zoom re-queried (new series shown)", requery.Count == 0 ? null : Median(requery), baseline, api, 1000,
            requery.Count == 0 ? "the page did not re-query on zoom" : $"{requery.Count} of {options.Loads} loads re-queried");
    }

    /// <summary>A point logged to a running run, until its open Run page shows it in the table and the chart.</summary>
    public async Task LiveAsync()
    {
        var tracker = platform.Tracker;
        await tracker.EnsureExperimentAsync("web-bench-live", null, CancellationToken.None);
        var run = await tracker.CreateRunAsync(new CreateRun("web-bench-live", "live", RunStatuses.Running, WorkerId: "web-bench"), CancellationToken.None);
        var steps = Enumerable.Range(1, 100).Select(s => (long)s).ToArray();
        await tracker.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Series: [new MetricColumns("train/loss", steps, steps.Select(s => 1.0 / s).ToArray())]), CancellationToken.None);
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"/runs/{run.Id}");
        await page.Locator("[data-test=latest-metrics]").GetByText("(step 100)").WaitForAsync();

        var shown = new List<double>();
        var writes = new List<double>();
        for (var i = 1; i <= options.Loads + 1; i++)
        {
            var step = 100 + i;
            // More than the page's refresh throttle (once a second) apart, so each point is a fresh update.
            await Task.Delay(1500);
            await tracker.SendRunHeartbeatAsync(run.Id, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            await tracker.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Metrics: [new MetricPoint("train/loss", step, 0.5)]), CancellationToken.None);
            writes.Add(watch.Elapsed.TotalMilliseconds);
            await page.WaitForFunctionAsync("""
                (step) => {
                  const table = document.querySelector('[data-test="latest-metrics"]');
                  const gd = document.querySelector('[data-test="metric-chart"][data-metric="train/loss"] .js-plotly-plot');
                  return table && table.textContent.includes('(step ' + step + ')')
                    && gd && gd.data && Array.from(gd.data[0].x).map(Number).includes(step);
                }
                """, step);
            var at = watch.Elapsed.TotalMilliseconds;
            Console.WriteLine($"  live point {i}: shown after {at:0} ms");
            if (i > 1)
            {
                shown.Add(at);
            }
        }

        await page.Context.CloseAsync();
        await tracker.UpdateRunAsync(run.Id, new UpdateRun(Status: RunStatuses.Finished), CancellationToken.None);
        Add("Live: point logged → on the open Run page (table and chart)", Median(shown), "POST /api/runs/{id}/batch (one point)", Median(writes), 2000, "");
    }

    /// <summary>The Runs page over many runs: first page visible, and a filter's answer.</summary>
    public async Task RunsPageAsync()
    {
        var clock = Stopwatch.StartNew();
        await BenchData.ManyRunsAsync(platform.Tracker, options.Runs, CancellationToken.None);
        Console.WriteLine($"Created {options.Runs:N0} runs in {clock.Elapsed.TotalSeconds:0.0} s");
        var filter = $"tags.bench_index >= {options.Runs - 5}";
        var expected = Enumerable.Range(options.Runs - 5, 5).Select(i => $"bench-{i:D5}").ToArray();
        var listApi = await MedianAsync(20, () => platform.Tracker.ListRunsAsync(0, 25, CancellationToken.None));
        var filterApi = await MedianAsync(20, () => platform.Tracker.SearchRunsAsync(filter, null, 0, 25, CancellationToken.None));

        var first = new List<double>();
        var filtered = new List<double>();
        string? filterNote = null;
        for (var load = 0; load <= options.Loads; load++)
        {
            var page = await browser.NewPageAsync();
            var watch = Stopwatch.StartNew();
            var response = await page.GotoAsync("/runs", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.mud-table-body tr.mud-table-row a[href^=\"/runs/\"]').length > 0");
            var firstAt = watch.Elapsed.TotalMilliseconds;
            if (load == 1 && response is not null)
            {
                // Rows in the server's HTML are visible in the first paint; otherwise they wait for the circuit.
                var html = await response.TextAsync();
                Console.WriteLine($"    rows in the prerendered HTML: {System.Text.RegularExpressions.Regex.Count(html, "href=\"/runs/[0-9a-f-]{36}\"")}");
                await PrintTimelineAsync(page);
            }

            double? filterAt = null;
            var box = page.Locator("[data-test=filter] input, input[data-test=filter]").Or(page.GetByLabel("Filter runs")).First;
            try
            {
                await box.WaitForAsync(new LocatorWaitForOptions { Timeout = 5_000 });
                var filterWatch = Stopwatch.StartNew();
                await box.FillAsync(filter);
                await box.PressAsync("Enter");
                await page.WaitForFunctionAsync("""
                    (names) => {
                      const rows = [...document.querySelectorAll('.mud-table-body tr.mud-table-row')];
                      return rows.length === names.length && names.every(n => rows.some(r => r.textContent.includes(n)));
                    }
                    """, expected, new PageWaitForFunctionOptions { Timeout = 10_000 });
                filterAt = filterWatch.Elapsed.TotalMilliseconds;
            }
            catch (TimeoutException exception)
            {
                filterNote = $"not measured: {exception.Message.Split('\n')[0]}";
            }

            await page.Context.CloseAsync();
            Console.WriteLine($"  runs load {load}{(load == 0 ? " (warm-up)" : "")}: first page {firstAt:0} ms, filter answer {(filterAt is { } f ? $"{f:0} ms" : filterNote)}");
            if (load == 0)
            {
                continue;
            }

            first.Add(firstAt);
            if (filterAt is { } answered)
            {
                filtered.Add(answered);
            }
        }

        Add($"Runs ({options.Runs:N0} runs): navigation → first page rows", Median(first), "GET /api/runs?skip=0&take=25", listApi, 500, "");
        Add($"Runs: filter typed → {5} matching rows", filtered.Count == 0 ? null : Median(filtered), $"GET /api/runs?filter={filter}", filterApi, 500, filterNote ?? "");
    }

    // Where a page load's time went: the document, the scripts and the circuit's connection, in the browser's own
    // timeline (ms since navigation started).
    private static async Task PrintTimelineAsync(IPage page)
    {
        var lines = await page.EvaluateAsync<string[]>("""
            () => {
              const nav = performance.getEntriesByType('navigation')[0];
              const rows = [`document: response ${nav.responseStart.toFixed(0)}–${nav.responseEnd.toFixed(0)}, DOMContentLoaded ${nav.domContentLoadedEventEnd.toFixed(0)}, ${nav.transferSize} bytes`];
              for (const r of performance.getEntriesByType('resource')) {
                if (/blazor|plotly|metric-chart|MudBlazor|compare\/data/.test(r.name)) {
                  const server = (r.serverTiming || []).map(t => `${t.name} ${t.duration.toFixed(0)}`).join(', ');
                  rows.push(`${r.name.replace(location.origin, '').slice(0, 90)}: ${r.startTime.toFixed(0)}–${r.responseEnd.toFixed(0)}, ${r.transferSize} bytes${server ? ' (server: ' + server + ')' : ''}`);
                }
              }
              for (const m of performance.getEntriesByType('mark')) rows.push(`mark ${m.name}: ${m.startTime.toFixed(0)}`);
              for (const m of performance.getEntriesByType('measure')) rows.push(`measure ${m.name}: ${m.startTime.toFixed(0)} + ${m.duration.toFixed(0)}`);
              return rows;
            }
            """);
        foreach (var line in lines)
        {
            Console.WriteLine($"    {line}");
        }
    }

    public void PrintSummary()
    {
        Console.WriteLine();
        Console.WriteLine($"{"figure (median of " + options.Loads + " loads)",-62} {"ms",8} {"target",7}  {"baseline",-52} {"ms",7} {"×",7}");
        foreach (var (figure, millis, baseline, baselineMillis, target, note) in results)
        {
            var ratio = millis is { } m && baselineMillis is { } b && b > 0 ? $"{m / b:0.0}" : "—";
            var verdict = millis is { } value ? (value <= target ? "" : "  MISSES TARGET") : "";
            Console.WriteLine($"{figure,-62} {(millis is { } v ? v.ToString("0") : "—"),8} {target,7:0}  {baseline,-52} {baselineMillis,7:0.0} {ratio,7}{verdict}{(note.Length > 0 ? "  (" + note + ")" : "")}");
        }
    }

    private void Add(string figure, double? millis, string baseline, double? baselineMillis, double target, string note) =>
        results.Add((figure, millis, baseline, baselineMillis, target, note));

    private static async Task<double> MedianAsync<T>(int count, Func<Task<T>> call)
    {
        await call(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await call();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
