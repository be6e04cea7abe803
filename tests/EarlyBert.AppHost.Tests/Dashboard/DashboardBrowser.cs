using Microsoft.Playwright;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// Debian's headless Chromium driven by Playwright, one browser per test class. Playwright's own browser download
/// cannot work on these machines, so the browser is the system's (<c>build.sh</c> installs it with apt).
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// Where screenshots go: <c>EARLYBERT_TEST_ARTIFACTS</c> when set (CI keeps that folder), else
    /// <c>TestResults/dashboard</c> under the test assembly's folder.
    /// </summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("EARLYBERT_TEST_ARTIFACTS") is { Length: > 0 } folder
            ? Path.Combine(folder, "dashboard")
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard")).FullName;

    private IPlaywright? playwright;

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Chromium 156's headless mode builds its own omnibox pop-up pages (about 300 chrome:// requests and their
            // scripts) for every new browser context, on the same two cores as the page under test. They are the
            // browser's own interface, not part of loading the page, so they are switched off.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"],
        });
    }

    /// <summary>
    /// A fresh page (own cookies and storage) on the dashboard at <paramref name="baseUrl"/>, <paramref name="width"/>
    /// pixels wide (1280 by default, as the issue asks the layout to hold), that accepts downloads.
    /// </summary>
    public async Task<IPage> NewPageAsync(Uri baseUrl, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            AcceptDownloads = true,
        });
        // Blazor Server pages answer over a circuit; a two-core machine under the whole suite is slow to answer.
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot as <c>NAME.png</c> in <see cref="ArtifactsDirectory"/> and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(ArtifactsDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
