using Microsoft.Playwright;

namespace EarlyBert.Web.Benchmarks;

/// <summary>Debian's headless Chromium through Playwright (its own browser download cannot work here).</summary>
public sealed class BenchBrowser : IAsyncDisposable
{
    private readonly IPlaywright playwright;
    private readonly IBrowser browser;
    private readonly Uri baseUrl;

    private BenchBrowser(IPlaywright playwright, IBrowser browser, Uri baseUrl)
    {
        this.playwright = playwright;
        this.browser = browser;
        this.baseUrl = baseUrl;
    }

    public static async Task<BenchBrowser> LaunchAsync(Uri baseUrl)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Chromium 156's headless mode builds its own omnibox pop-up pages (about 300 chrome:// requests and their
            // scripts) for every new browser context, on the same two cores as the page under test. They are the
            // browser's own interface, not part of loading the page, so they are switched off.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup"],
        });
        return new BenchBrowser(playwright, browser, baseUrl);
    }

    /// <summary>A fresh page (new context: no cache, a new Blazor circuit) 1280 px wide.</summary>
    public async Task<IPage> NewPageAsync() => await NewPageAsync(await NewContextAsync());

    /// <summary>
    /// A browser context of its own (a profile: its pages share the HTTP cache and Chromium's cache of compiled
    /// scripts, as the tabs of a user who has opened the dashboard before do).
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(60_000);
        return context;
    }

    /// <summary>A new page (a new Blazor circuit) in <paramref name="context"/>.</summary>
    public async Task<IPage> NewPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        // A page that never draws says why here rather than only timing out.
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                Console.Error.WriteLine($"  browser {message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Console.Error.WriteLine($"  browser page error: {error}");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}
