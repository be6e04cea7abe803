using Bunit;
using EarlyBert.Web.Components.Pages.Runs;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.Runs;

/// <summary>
/// The filter works before the circuit is up: the prerendered form is a plain GET of <c>/runs?filter=…</c> (whose
/// server render holds the filtered rows), and the interactive page filters in place.
/// </summary>
public sealed class RunsFilterFormTests : DashboardTestContext
{
    public RunsFilterFormTests() => Context.AddBunitPersistentComponentState();

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void The_prerendered_filter_is_an_enabled_get_form_to_runs_that_keeps_the_order_and_columns()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        Navigation.NavigateTo("/runs?filter=status%20%3D%20%22failed%22&orderBy=name%20asc&columns=params.lr");

        var page = Render<RunsPage>();

        var form = page.Find("form[data-test=filter-form]");
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("/runs", form.GetAttribute("action"));
        var box = form.QuerySelector("input[name=filter]")!;
        Assert.Equal("status = \"failed\"", box.GetAttribute("value"));
        Assert.False(box.HasAttribute("disabled"));
        Assert.False(page.Find("[data-test=apply-filter]").HasAttribute("disabled"));
        Assert.Equal("name asc", form.QuerySelector("input[type=hidden][name=orderBy]")!.GetAttribute("value"));
        Assert.Equal("params.lr", form.QuerySelector("input[type=hidden][name=columns]")!.GetAttribute("value"));
    }

    [Fact]
    public void Without_an_order_or_columns_the_form_sends_only_the_filter()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        Navigation.NavigateTo("/runs");

        var page = Render<RunsPage>();

        Assert.Equal(["filter"], page.FindAll("form[data-test=filter-form] input[name]").Select(i => i.GetAttribute("name")));
    }

    [Fact]
    public void On_the_circuit_a_submitted_filter_is_applied_in_place_and_written_into_the_address()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        Navigation.NavigateTo("/runs");
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=runs-empty]")));

        page.Find("[data-test=filter-form] input[name=filter]").Input("status = \"failed\"");
        page.Find("form[data-test=filter-form]").Submit();

        page.WaitForAssertion(() => Assert.Contains("GET api/runs?skip=0&take=25&filter=status = \"failed\"", Tracker.Requests));
        Assert.EndsWith("/runs?filter=status%20%3D%20%22failed%22", Navigation.Uri);
    }
}
