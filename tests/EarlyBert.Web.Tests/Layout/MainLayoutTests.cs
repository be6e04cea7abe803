using Bunit;
using EarlyBert.Web.Components.Layout;
using EarlyBert.Web.Tests.Infrastructure;
using MudBlazor;
using MudBlazor.Extensions;

namespace EarlyBert.Web.Tests.Layout;

public sealed class MainLayoutTests : DashboardTestContext
{
    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(x => x.Body, builder => builder.AddMarkupContent(0, "<p data-test=body>page</p>")));

    [Fact]
    public void The_dark_mode_toggle_switches_the_theme_says_what_it_does_and_remembers_the_choice()
    {
        var layout = RenderLayout();
        var theme = layout.FindComponent<MudThemeProvider>();
        Assert.False(theme.Instance.GetState(x => x.IsDarkMode));
        Assert.Equal("Switch to dark mode", layout.Find("[data-test=dark-mode]").GetAttribute("aria-label"));

        layout.Find("[data-test=dark-mode]").Click();

        layout.WaitForAssertion(() => Assert.True(theme.Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal("Switch to light mode", layout.Find("[data-test=dark-mode]").GetAttribute("aria-label"));
        Assert.Equal("true", layout.Find("[data-test=dark-mode]").GetAttribute("aria-pressed"));
        var stored = Context.JSInterop.Invocations["localStorage.setItem"].Last();
        Assert.Equal([MainLayout.ThemeStorageKey, "dark"], stored.Arguments);

        layout.Find("[data-test=dark-mode]").Click();

        layout.WaitForAssertion(() => Assert.False(theme.Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal([MainLayout.ThemeStorageKey, "light"], Context.JSInterop.Invocations["localStorage.setItem"].Last().Arguments);
    }

    [Fact]
    public void A_remembered_dark_choice_applies_when_the_page_opens()
    {
        Context.JSInterop.Setup<string?>("localStorage.getItem", MainLayout.ThemeStorageKey).SetResult("dark");

        var layout = RenderLayout();

        layout.WaitForAssertion(() => Assert.True(layout.FindComponent<MudThemeProvider>().Instance.GetState(x => x.IsDarkMode)));
        Assert.Equal("Switch to light mode", layout.Find("[data-test=dark-mode]").GetAttribute("aria-label"));
    }

    [Fact]
    public void Every_icon_button_in_the_app_bar_has_an_accessible_name_and_the_body_renders()
    {
        var layout = RenderLayout();

        var buttons = layout.FindAll("header button");
        Assert.Equal(2, buttons.Count);
        Assert.All(buttons, b => Assert.False(string.IsNullOrWhiteSpace(b.GetAttribute("aria-label"))));
        Assert.Single(layout.FindAll("main [data-test=body]"));
        Assert.Equal(3, layout.FindAll("nav a, .mud-navmenu a").Select(a => a.GetAttribute("href")).Distinct().Count());
    }

    [Fact]
    public void The_navigation_toggle_opens_and_closes_the_drawer()
    {
        var layout = RenderLayout();
        var drawer = layout.FindComponent<MudDrawer>();
        // Open at first on a wide window, closed on a narrow one (bUnit has no window; the breakpoint decides).
        var open = drawer.Instance.GetState(x => x.Open);
        Assert.Equal(open ? "true" : "false", layout.Find("[data-test=toggle-navigation]").GetAttribute("aria-expanded"));

        layout.Find("[data-test=toggle-navigation]").Click();

        layout.WaitForAssertion(() => Assert.Equal(!open, drawer.Instance.GetState(x => x.Open)));
        Assert.Equal(!open ? "true" : "false", layout.Find("[data-test=toggle-navigation]").GetAttribute("aria-expanded"));

        layout.Find("[data-test=toggle-navigation]").Click();

        layout.WaitForAssertion(() => Assert.Equal(open, drawer.Instance.GetState(x => x.Open)));
    }
}
