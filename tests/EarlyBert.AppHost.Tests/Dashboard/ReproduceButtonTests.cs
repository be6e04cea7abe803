using System.Text.RegularExpressions;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static EarlyBert.AppHost.Tests.Training.TrainingRunTests;
using static Microsoft.Playwright.Assertions;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// The Run page's Reproduce button in headless Chromium against the platform under the AppHost: a real <c>smoke</c>
/// run trained by the worker, reproduced from the dashboard, the reproduction trained by the worker too, and the
/// verdict on both Run pages. Screenshots <c>reproduction.png</c> and <c>reproduced.png</c> go to
/// <see cref="DashboardBrowser.ArtifactsDirectory"/>.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ReproduceButtonTests(PlatformFixture platform, DashboardBrowser browser, ITestOutputHelper output)
    : IClassFixture<DashboardBrowser>
{
    // A smoke epoch trains in seconds, but the worker trains one run at a time on a machine the whole suite shares.
    private static readonly TimeSpan TrainingTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Reproduce_on_a_finished_smoke_run_queues_a_child_the_worker_trains_and_both_run_pages_show_it_identical()
    {
        await platform.EnsureStartedAsync();
        var tracker = DashboardRuns.Tracker(platform);
        var parent = await QueueAsync(tracker, "dash-repro", Smoke(epochs: 1));
        await WaitForStatusAsync(tracker, parent.Id, RunStatuses.Finished);

        var page = await browser.NewPageAsync(DashboardRuns.WebUrl(platform));
        await page.GotoAsync($"/runs/{parent.Id}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = parent.Name })).ToBeVisibleAsync();
        var reproduce = page.Locator("[data-test=reproduce]");
        // Enabled once the circuit is up: a click on the prerendered button would be lost.
        await Expect(reproduce).ToBeEnabledAsync();
        await reproduce.ClickAsync();

        // The child is queued with the parent's config and opened. The whole suite shares two cores with the worker's
        // training, so the queue-and-open round trip gets a minute; a refusal would show in the button's error alert.
        try
        {
            await page.WaitForURLAsync(url => Regex.IsMatch(url, @"/runs/[0-9a-f-]{36}$") && !url.Contains(parent.Id.ToString(), StringComparison.Ordinal),
                // Commit, not Load: Blazor opens the child by client-side navigation, and a page whose first
                // document has not fired load yet (the worker keeps two cores busy) would hold a Load wait past the URL.
                new() { Timeout = 60_000, WaitUntil = WaitUntilState.Commit });
        }
        catch (TimeoutException)
        {
            var refusal = page.Locator("[data-test=reproduce-error]");
            output.WriteLine($"Not opened: {await DashboardBrowser.ScreenshotAsync(page, "reproduce-not-opened")}; " +
                $"error alert: {(await refusal.CountAsync() > 0 ? await refusal.InnerTextAsync() : "none")}");
            throw;
        }
        var childId = Guid.Parse(new Uri(page.Url).AbsolutePath["/runs/".Length..]);
        Assert.NotEqual(parent.Id, childId);
        var child = await tracker.GetRunAsync(childId, CancellationToken.None);
        Assert.Equal(parent.Id, child.ParentRunId);
        Assert.Equal(parent.Id, child.Reproduction?.ParentRunId);
        Assert.Empty(child.Reproduction!.Overrides);
        await Expect(page.Locator("[data-test=reproduction-parent]")).ToHaveAttributeAsync("href", $"/runs/{parent.Id}");

        // The open page follows the child through the worker's training to its verdict.
        var verdict = page.Locator("[data-test=verdict-alert] [data-test=verdict]");
        await Expect(verdict).ToHaveTextAsync("identical", new() { Timeout = (float)TrainingTimeout.TotalMilliseconds });
        var ended = await tracker.GetRunAsync(childId, CancellationToken.None);
        Assert.Equal(RunStatuses.Finished, ended.Status);
        Assert.Equal(ReproductionVerdicts.Identical, ended.Reproduction?.Verdict);
        Assert.False(string.IsNullOrEmpty(ended.WorkerId));
        await Expect(page.Locator("[data-test=reproduction-facts]")).ToContainTextAsync("passed");
        await Expect(page.Locator("[data-test=differences] [data-test=metric-chart] .scatterlayer .trace path").First)
            .ToBeAttachedAsync(new() { Timeout = 20_000 });
        output.WriteLine($"Reproduction: {await DashboardBrowser.ScreenshotAsync(page, "reproduction")}");

        // The parent's page lists the reproduction with its verdict.
        await page.GotoAsync($"/runs/{parent.Id}");
        // The button is enabled once the circuit is up (a click on the prerendered page would be lost).
        await Expect(reproduce).ToBeEnabledAsync();
        var row = page.Locator("[data-test=child]").Filter(new() { Has = page.Locator($"a[href='/runs/{childId}']") });
        await Expect(row.Locator("[data-test=verdict]")).ToHaveTextAsync("identical");
        output.WriteLine($"Parent: {await DashboardBrowser.ScreenshotAsync(page, "reproduced")}");
        await page.Context.CloseAsync();
    }
}
