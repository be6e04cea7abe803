using System.Diagnostics;
using System.Text.RegularExpressions;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard in real headless Chromium against the platform under the AppHost, with runs reported through the
/// tracker API. Screenshots land in <see cref="DashboardBrowser.ArtifactsDirectory"/>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardTests(PlatformFixture platform, DashboardBrowser browser, ITestOutputHelper output)
    : IClassFixture<DashboardBrowser>
{
    private static readonly TimeSpan ChartTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Runs_filter_selects_two_runs_whose_compare_explains_the_precision_difference_shows_differing_params_smooths_drawn_charts_hides_a_run_from_the_legend_requeries_a_zoom_and_whose_artifact_downloads()
    {
        await platform.EnsureStartedAsync();
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellation = timeout.Token;
        var tracker = DashboardRuns.Tracker(platform);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var experiment = $"dashboard-{suffix}";
        var float32 = await DashboardRuns.CreateAsync(tracker, experiment, $"f32-{suffix}", "float32", "3e-05", cancellation);
        var bf16 = await DashboardRuns.CreateAsync(tracker, experiment, $"bf16-{suffix}", "bf16-mixed", "2e-05", cancellation);
        // Same experiment, a learning rate the filter leaves out.
        var slow = await DashboardRuns.CreateAsync(tracker, experiment, $"slow-{suffix}", "float32", "1e-05", cancellation);
        foreach (var run in new[] { float32, bf16, slow })
            await DashboardRuns.FinishAsync(tracker, run, cancellation);

        var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform));

        // Runs: the filter box takes the tracker's search language and shows a parse error with its position.
        await page.GotoAsync("/runs");
        var filter = FilterBox(page);
        await filter.FillAsync("params.learning_rate >");
        await filter.PressAsync("Enter");
        await Expect(page.Locator("[data-test=filter-error]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-test=filter-position]")).ToContainTextAsync(new Regex(@"At character \d+"));

        await filter.FillAsync($"experiment = '{experiment}' and params.learning_rate >= 2e-5");
        await filter.PressAsync("Enter");
        var rows = page.Locator(".mud-table-body tr.mud-table-row");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = float32.Name })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = bf16.Name })).ToHaveCountAsync(1);

        foreach (var run in new[] { float32, bf16 })
            await rows.Filter(new() { HasText = run.Name }).Locator(".mud-checkbox").First.ClickAsync();
        var compare = page.Locator("[data-test=compare]");
        await Expect(compare).ToContainTextAsync("Compare (2)");
        output.WriteLine($"Runs: {await DashboardBrowser.ScreenshotAsync(page, "runs")}");

        // Compare: one reason in the banner, naming the runs in the URL's order (the run that deviates first).
        await compare.ClickAsync();
        await page.WaitForURLAsync(new Regex("/compare\\?runs="), new() { WaitUntil = WaitUntilState.Commit });
        var order = CompareRunIds(page.Url);
        Assert.Equal(new[] { float32.Id, bf16.Id }.Order(), order.Order());
        var reason = page.Locator("[data-test=not-comparable] [data-test=reason]");
        await Expect(reason).ToHaveCountAsync(1);
        var expectedReason = order[0] == float32.Id
            ? $"run {bf16.Name} trained in bf16-mixed, run {float32.Name} in float32"
            : $"run {float32.Name} trained in float32, run {bf16.Name} in bf16-mixed";
        await Expect(reason).ToHaveTextAsync(expectedReason);

        // Params: every key, then only the one that differs, its differing cell highlighted; the URL keeps the view.
        var paramRows = page.Locator("[data-test=compare-params] tr[data-key]");
        await Expect(paramRows).ToHaveCountAsync(3);
        await page.Locator("[data-test=compare-params]").GetByText("Only differences").ClickAsync();
        await Expect(paramRows).ToHaveCountAsync(1);
        await Expect(paramRows).ToHaveAttributeAsync("data-key", "learning_rate");
        await Expect(paramRows.Locator("td.eb-differs")).ToHaveCountAsync(1);
        await page.WaitForURLAsync(new Regex("[?&]diff=1"), new() { WaitUntil = WaitUntilState.Commit });

        // Charts: one per metric, a line per run drawn; smoothing adds the smoothed line and keeps the raw one.
        var charts = await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        Assert.All(charts, chart => Assert.Equal(2, chart.Traces));
        await SetSmoothingAsync(page, 0.8);
        charts = await WaitForChartsAsync(page, c => c.Count == 2 && c.All(chart => chart.Traces == 4 && chart.Drawn));
        output.WriteLine($"Compare charts after smoothing: {string.Join("; ", charts)}");
        output.WriteLine($"Compare: {await DashboardBrowser.ScreenshotAsync(page, "compare")}");

        // The legend: pressing a run leaves its lines out of every chart (the address says so) and pressing it again
        // brings them back.
        var bf16Entry = page.Locator($"[data-test=compare-legend] .eb-legend-entry[data-run='{bf16.Id}']");
        await bf16Entry.GetByRole(AriaRole.Button).ClickAsync();
        await page.WaitForURLAsync(new Regex($"[?&]hide={bf16.Id}"), new() { WaitUntil = WaitUntilState.Commit });
        await Expect(bf16Entry).ToHaveAttributeAsync("data-hidden", "true");
        await WaitForChartsAsync(page, c => c.Count == 2 && c.All(chart => chart.Traces == 2 && chart.Drawn));
        await bf16Entry.GetByRole(AriaRole.Button).ClickAsync();
        await Expect(bf16Entry).ToHaveAttributeAsync("data-hidden", "false");
        await WaitForChartsAsync(page, c => c.Count == 2 && c.All(chart => chart.Traces == 4 && chart.Drawn));
        Assert.DoesNotContain("hide=", page.Url, StringComparison.Ordinal);

        // Zoom: the first chart is re-queried for the visible steps (the runs log steps 1–50), and autorange (what a
        // double-click does) brings the whole series back.
        await page.EvaluateAsync($"() => Plotly.relayout({FirstPlot}, {{ 'xaxis.range': [20.3, 30.6] }})");
        await page.WaitForFunctionAsync($"() => {{ const x = Array.from({FirstPlot}.data[0].x).map(Number); return x.length === 12 && x[0] === 20 && x[11] === 31; }}");
        await page.EvaluateAsync($"() => Plotly.relayout({FirstPlot}, {{ 'xaxis.autorange': true }})");
        await page.WaitForFunctionAsync($"() => {{ const x = Array.from({FirstPlot}.data[0].x).map(Number); return x.length === 50 && x[0] === 1 && x[49] === 50; }}");

        // Run: its charts draw and its artifact downloads byte for byte.
        await page.GotoAsync($"/runs/{float32.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = float32.Name })).ToBeVisibleAsync();
        await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        var artifactRow = page.Locator("[data-test=artifacts] tr").Filter(new() { HasText = DashboardRuns.ArtifactPath });
        var download = await page.RunAndWaitForDownloadAsync(() => artifactRow.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());
        var saved = Path.Combine(DashboardBrowser.ArtifactsDirectory, $"download-{suffix}.json");
        await download.SaveAsAsync(saved);
        Assert.Equal("config.json", download.SuggestedFilename);
        Assert.Equal(DashboardRuns.ArtifactBytes(float32), await File.ReadAllBytesAsync(saved, cancellation));
        output.WriteLine($"Run: {await DashboardBrowser.ScreenshotAsync(page, "run")}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Metric_point_logged_to_a_running_run_appears_on_its_open_run_page_within_seconds()
    {
        await platform.EnsureStartedAsync();
        using var timeout = new CancellationTokenSource(TestTimeout);
        var cancellation = timeout.Token;
        var tracker = DashboardRuns.Tracker(platform);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var run = await DashboardRuns.CreateAsync(tracker, $"dashboard-{suffix}", $"live-{suffix}", "float32", "3e-05", cancellation);
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // A running run whose worker stops sending heartbeats is marked crashed; this test is its worker.
        var beating = Task.Run(async () =>
        {
            while (!heartbeats.IsCancellationRequested)
            {
                await tracker.SendRunHeartbeatAsync(run.Id, heartbeats.Token);
                await Task.Delay(TimeSpan.FromSeconds(2), heartbeats.Token);
            }
        }, heartbeats.Token);

        try
        {
            var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform));
            await page.GotoAsync($"/runs/{run.Id}");
            var latest = page.Locator("[data-test=latest-metrics] tr").Filter(new() { HasText = "train/loss" });
            await Expect(latest).ToContainTextAsync("(step 50)");
            await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);

            var clock = Stopwatch.StartNew();
            await tracker.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Metrics: [new MetricPoint("train/loss", 51, 0.4242)]), cancellation);
            await Expect(latest).ToContainTextAsync("0.4242 (step 51)", new() { Timeout = 5_000 });
            var shownInTable = clock.Elapsed;
            var charts = await WaitForChartsAsync(page, c => c.Any(chart => chart.Metric == "train/loss" && chart.LastX == 51), TimeSpan.FromSeconds(5));
            var shownInChart = clock.Elapsed;
            output.WriteLine($"Live point shown: latest metrics after {shownInTable.TotalMilliseconds:0} ms, chart after {shownInChart.TotalMilliseconds:0} ms");
            Assert.True(charts.Single(c => c.Metric == "train/loss").Drawn);
            Assert.InRange(shownInChart, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            await page.Context.CloseAsync();
        }
        finally
        {
            await heartbeats.CancelAsync();
            await Task.WhenAny(beating);
            await DashboardRuns.FinishAsync(tracker, run, CancellationToken.None);
        }
    }

    // The Runs page's filter box, by the test name its component carries or by its label.
    private static ILocator FilterBox(IPage page) =>
        page.Locator("[data-test=filter] input, input[data-test=filter]")
            .Or(page.GetByLabel("Filter runs")).First;

    // The Compare page's EMA smoothing slider set to a fraction of its range.
    private static async Task SetSmoothingAsync(IPage page, double fraction)
    {
        var slider = page.Locator("[data-test=smoothing] input[type=range], input[type=range][data-test=smoothing]")
            .Or(page.GetByRole(AriaRole.Slider, new() { Name = "Smoothing" })).First;
        // Snapped to the slider's step: a range input rounds anything else, and Playwright refuses a value that changed.
        var value = await slider.EvaluateAsync<string>("""
            (el, f) => {
              const min = Number(el.min || 0), max = Number(el.max || 1), step = Number(el.step || 0.01);
              const snapped = Math.round((min + (max - min) * f) / step) * step;
              return snapped.toFixed((String(step).split('.')[1] || '').length);
            }
            """, fraction);
        await slider.FillAsync(value);
    }

    // The first metric chart's Plotly graph div, in the page's script.
    private const string FirstPlot = "document.querySelector('[data-test=\"metric-chart\"] .js-plotly-plot')";

    private static async Task<IReadOnlyList<DrawnChart>> WaitForChartsAsync(IPage page, Func<IReadOnlyList<DrawnChart>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ChartTimeout);
        while (true)
        {
            var charts = await PlotlyProbe.ChartsAsync(page);
            if (condition(charts))
                return charts;
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException("The charts never reached the expected state; they are: " + string.Join("; ", charts));
            await Task.Delay(50);
        }
    }

    private static List<Guid> CompareRunIds(string url)
    {
        var query = new Uri(url).Query.TrimStart('?').Split('&').Select(Uri.UnescapeDataString);
        return query.Single(p => p.StartsWith("runs=", StringComparison.Ordinal))["runs=".Length..]
            .Split(',').Select(Guid.Parse).ToList();
    }
}
