using System.Text.RegularExpressions;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client.Runs;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// Compare at its limit: the prerendered outline of 20 runs with a trainer-sized config each travels back in the
/// circuit's first message, which SignalR's default 32 KB limit would drop, leaving a page that never turns interactive.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class LargeCompareTests(PlatformFixture platform, DashboardBrowser browser, ITestOutputHelper output)
    : IClassFixture<DashboardBrowser>
{
    private const int Runs = 20;
    private const int ParamsPerRun = 120;

    // Watches the first chart at every frame from the page's first script on: how many frames showed it drawn, how
    // many after that showed it missing, and the graph div first drawn.
    private const string ChartWatch = """
        (() => {
          const watch = window.__ebChartWatch = { drawn: 0, missing: 0, first: null };
          const frame = () => {
            const gd = document.querySelector('[data-test="metric-chart"] .js-plotly-plot');
            const drawn = !!gd && [...gd.querySelectorAll('.scatterlayer .trace path')].some(p => (p.getAttribute('d') || '').length > 2);
            if (drawn) {
              watch.drawn++;
              watch.first ??= gd;
            } else if (watch.drawn > 0) {
              watch.missing++;
            }
            requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        })();
        """;

    [Fact]
    public async Task Compare_of_twenty_runs_with_full_configs_opened_by_address_turns_interactive_answers_the_only_differences_toggle_and_keeps_its_chart_through_the_circuits_first_render()
    {
        await platform.EnsureStartedAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var cancellation = timeout.Token;
        var tracker = DashboardRuns.Tracker(platform);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var experiment = $"large-compare-{suffix}";
        await tracker.EnsureExperimentAsync(experiment, null, cancellation);

        var ids = new List<Guid>();
        for (var r = 0; r < Runs; r++)
        {
            var run = await tracker.CreateRunAsync(new CreateRun(experiment, $"big-{r:D2}-{suffix}", RunStatuses.Running, WorkerId: "dashboard-tests"), cancellation);
            // Dotted config keys as long as the trainer's; one key differs between runs.
            var @params = Enumerable.Range(0, ParamsPerRun).ToDictionary(
                i => $"optimizer.learning_rate.config.section_{i:D3}.initial_learning_rate",
                i => i == 0 ? $"{r + 1}e-05" : $"value-{i:D3}-shared-by-every-run");
            await tracker.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), Params: @params,
                Series: [new MetricColumns("train/loss", [1, 2, 3], [0.9, 0.5 + r * 0.01, 0.3])]), cancellation);
            await DashboardRuns.FinishAsync(tracker, run, cancellation);
            ids.Add(run.Id);
        }

        var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform));
        await page.AddInitScriptAsync(ChartWatch);
        await page.GotoAsync($"/compare?runs={string.Join(',', ids)}&metrics=train/loss");
        var paramRows = page.Locator("[data-test=compare-params] tr[data-key]");
        await Expect(paramRows).ToHaveCountAsync(ParamsPerRun, new() { Timeout = 30_000 });

        // Only the circuit answers the toggle: with its first message dropped, the row count never changes. A click on
        // the prerendered page before the circuit is up is lost, so click again (after a pause) until it answers.
        var toggle = page.Locator("[data-test=compare-params]").GetByText("Only differences");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (await paramRows.CountAsync() != 1 && stopwatch.Elapsed < TimeSpan.FromSeconds(40))
        {
            await toggle.ClickAsync();
            await page.WaitForTimeoutAsync(3000);
        }
        output.WriteLine($"Clicked the toggle for {stopwatch.ElapsedMilliseconds} ms");
        await Expect(paramRows).ToHaveAttributeAsync("data-key", "optimizer.learning_rate.config.section_000.initial_learning_rate");
        await page.WaitForURLAsync(new Regex("[?&]diff=1"), new() { WaitUntil = Microsoft.Playwright.WaitUntilState.Commit });

        // The chart drawn from the prerendered page before the circuit is the one shown now, and no frame in between
        // went without it: the circuit's first render replaces the page's elements, and the plot moves into its new
        // place before the browser paints.
        var watch = await page.EvaluateAsync<int[]>("""
            () => { const w = window.__ebChartWatch;
                    return [w.drawn, w.missing, w.first === document.querySelector('[data-test="metric-chart"] .js-plotly-plot') ? 1 : 0]; }
            """);
        output.WriteLine($"Chart drawn in {watch[0]} frames, missing in {watch[1]} after that");
        Assert.True(watch[0] > 0, "the chart was never seen drawn");
        Assert.Equal(0, watch[1]);
        Assert.Equal(1, watch[2]);
        output.WriteLine($"Compare of {Runs} runs: {await DashboardBrowser.ScreenshotAsync(page, "compare-20-runs")}");
    }
}
