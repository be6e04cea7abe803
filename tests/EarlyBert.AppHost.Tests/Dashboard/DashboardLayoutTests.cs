using EarlyBert.AppHost.Tests.Platform;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// The dashboard's layout at 1280 px and on a narrow window, and its use with the keyboard alone, in real headless
/// Chromium against the platform under the AppHost.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class DashboardLayoutTests(PlatformFixture platform, DashboardBrowser browser, ITestOutputHelper output)
    : IClassFixture<DashboardBrowser>
{
    private static readonly TimeSpan ChartTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1280)]
    [InlineData(400)]
    public async Task Runs_Run_and_Compare_fit_the_window_without_scrolling_the_page_sideways(int width)
    {
        await platform.EnsureStartedAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (a, b) = await TwoRunsAsync(timeout.Token);
        var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform), width);

        await page.GotoAsync($"/runs?filter={Uri.EscapeDataString($"experiment = \"{a.Experiment}\"")}");
        await Expect(page.Locator("a[href='/runs/" + a.Id + "']")).ToBeVisibleAsync();
        await AssertFitsAsync(page, "runs", width);

        await page.GotoAsync($"/runs/{a.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = a.Name })).ToBeVisibleAsync();
        await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        await AssertFitsAsync(page, "run", width);

        await page.GotoAsync($"/compare?runs={a.Id},{b.Id}");
        var charts = await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        await AssertFitsAsync(page, "compare", width);

        // Each chart takes the room it has: half the content beside the other on a wide window, all of it on a narrow one.
        var chartWidths = await page.EvaluateAsync<double[]>(
            "() => [...document.querySelectorAll('[data-test=\"metric-chart\"] .js-plotly-plot')].map(gd => gd.getBoundingClientRect().width)");
        var content = await page.EvaluateAsync<double>("() => document.querySelector('main').getBoundingClientRect().width");
        output.WriteLine($"{width} px: content {content:0} px, charts {string.Join(", ", chartWidths.Select(w => w.ToString("0")))} px");
        Assert.Equal(charts.Count, chartWidths.Length);
        Assert.All(chartWidths, w => Assert.InRange(w, width >= 960 ? content * 0.4 : content * 0.85, content));

        // The navigation sits beside the content on a wide window and is closed (a button away) on a narrow one.
        var drawer = page.Locator("nav[aria-label=Navigation], [aria-label=Navigation]").First;
        if (width >= 960)
        {
            await Expect(drawer.GetByText("Runs", new() { Exact = true })).ToBeVisibleAsync();
        }
        else
        {
            await Expect(drawer.GetByText("Runs", new() { Exact = true })).Not.ToBeInViewportAsync();
            // The button answers through the circuit, whose summary table shows it is up.
            await Expect(page.Locator("[data-test=metric-summary]")).ToBeVisibleAsync();
            await page.Locator("[data-test=toggle-navigation]").ClickAsync();
            await Expect(drawer.GetByText("Runs", new() { Exact = true })).ToBeInViewportAsync();
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task With_the_keyboard_alone_a_run_is_hidden_on_Compare_dark_mode_is_switched_and_a_run_is_opened()
    {
        await platform.EnsureStartedAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var (a, b) = await TwoRunsAsync(timeout.Token);
        var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform));
        await page.GotoAsync($"/compare?runs={a.Id},{b.Id}");
        await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        // The summary is drawn by the circuit: from then on the page answers keys.
        await Expect(page.Locator("[data-test=metric-summary]")).ToBeVisibleAsync();

        var legendButton = $".eb-legend-entry[data-run='{b.Id}'] button";
        await TabToAsync(page, legendButton);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator($".eb-legend-entry[data-run='{b.Id}']")).ToHaveAttributeAsync("data-hidden", "true");
        await PlotlyProbe.WaitUntilDrawnAsync(page, 2, ChartTimeout);
        await Expect(page.Locator($".eb-legend-entry[data-run='{b.Id}']")).ToHaveAttributeAsync("data-hidden", "true");

        await TabToAsync(page, "[data-test=dark-mode]", backwards: true);
        var background = await BackgroundAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("[data-test=dark-mode]")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.NotEqual(background, await BackgroundAsync(page));

        await TabToAsync(page, $".eb-legend-entry[data-run='{a.Id}'] a");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = a.Name })).ToBeVisibleAsync();
        Assert.EndsWith($"/runs/{a.Id}", page.Url, StringComparison.Ordinal);
        output.WriteLine($"Run opened by keyboard, dark: {await DashboardBrowser.ScreenshotAsync(page, "run-dark")}");
        await page.Context.CloseAsync();
    }

    private async Task<(Tracker.Client.Runs.Run A, Tracker.Client.Runs.Run B)> TwoRunsAsync(CancellationToken cancellationToken)
    {
        var tracker = DashboardRuns.Tracker(platform);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var experiment = $"layout-{suffix}";
        var a = await DashboardRuns.CreateAsync(tracker, experiment, $"a-{suffix}", "float32", "3e-05", cancellationToken);
        var b = await DashboardRuns.CreateAsync(tracker, experiment, $"b-{suffix}", "bf16-mixed", "2e-05", cancellationToken);
        return (await DashboardRuns.FinishAsync(tracker, a, cancellationToken), await DashboardRuns.FinishAsync(tracker, b, cancellationToken));
    }

    // The page is no wider than the window: tables and charts scroll or shrink inside it.
    private async Task AssertFitsAsync(IPage page, string name, int width)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scroll, inner) = (widths[0], widths[1]);
        output.WriteLine($"{name} at {width} px: {await DashboardBrowser.ScreenshotAsync(page, $"{name}-{width}")}");
        Assert.True(scroll <= inner, $"{name} at {width} px is {scroll} px wide");
    }

    // The page background MudBlazor's theme sets.
    private static Task<string> BackgroundAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim()");

    // Presses Tab (or Shift+Tab) until the focused element matches selector.
    private static async Task TabToAsync(IPage page, string selector, bool backwards = false)
    {
        for (var i = 0; i < 100; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) === true", selector))
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException($"Tab never reached {selector}");
    }
}
