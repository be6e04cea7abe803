using System.Net;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using EarlyBert.Web.Components.Pages.Runs;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Runs;

public sealed class RunsPageTests : DashboardTestContext
{
    // The page hands its first page from the server prerender to the circuit through the persisted state.
    private readonly BunitPersistentComponentState state;

    public RunsPageTests()
    {
        state = Context.AddBunitPersistentComponentState();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
    }

    [Fact]
    public void The_first_page_the_prerender_showed_is_shown_again_by_the_circuit_without_asking_the_tracker()
    {
        Tracker.Json("api/runs?", TrackerJson.Page(2, TrackerJson.Summary(Guid.NewGuid(), "otter"), TrackerJson.Summary(Guid.NewGuid(), "heron")));
        var prerender = Render<RunsPage>();
        prerender.WaitForAssertion(() => Assert.Equal(2, prerender.FindAll(".mud-table-body tr.mud-table-row").Count));
        Assert.Single(Tracker.Requests, r => r.Contains("api/runs?", StringComparison.Ordinal));

        state.TriggerOnPersisting();
        var circuit = Render<RunsPage>();

        Assert.Equal(2, circuit.FindAll(".mud-table-body tr.mud-table-row a[href^='/runs/']").Count);
        Assert.Single(Tracker.Requests, r => r.Contains("api/runs?", StringComparison.Ordinal));
    }

    [Fact]
    public void Before_the_tracker_answers_the_page_says_loading_and_never_no_runs_yet()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On("api/runs?", () => answer.Task);

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Contains("Loading runs", page.Markup));
        Assert.DoesNotContain("No runs yet", page.Markup);

        answer.SetResult(CannedTracker.Answer(HttpStatusCode.OK, TrackerJson.Page(0), "application/json"));
        page.WaitForAssertion(() => Assert.Contains("No runs yet", page.Markup));
        Assert.Empty(page.FindAll("[data-test=runs-loading]"));
    }

    [Fact]
    public void A_tracker_with_zero_runs_shows_the_empty_state()
    {
        Tracker.Json("api/runs?", TrackerJson.Page(0));

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=runs-empty]")));
        Assert.Empty(page.FindAll("[data-test=runs-error]"));
    }

    [Fact]
    public void An_unreachable_tracker_shows_the_error_with_its_message_and_no_empty_state()
    {
        Tracker.Unreachable("api/runs?");

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Contains("Connection refused (tracker:80)", page.Find("[data-test=runs-error]").TextContent));
        Assert.DoesNotContain("No runs yet", page.Markup);
        Assert.Empty(page.FindAll("[data-test=runs-loading]"));
    }

    [Fact]
    public void A_tracker_error_answer_shows_its_problem_title()
    {
        Tracker.Problem("api/runs?", HttpStatusCode.ServiceUnavailable, "The database is not reachable");

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Contains("The database is not reachable", page.Find("[data-test=runs-error]").TextContent));
    }

    [Fact]
    public void Each_run_name_links_to_its_run_page()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        Tracker.Json("api/runs?", TrackerJson.Page(2, TrackerJson.Summary(first, "brave-otter"), TrackerJson.Summary(second, "calm-heron", "running")));

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Contains("calm-heron", page.Markup));
        var links = page.FindAll("tbody a").Where(a => a.GetAttribute("href")?.StartsWith("/runs/", StringComparison.Ordinal) == true).ToList();
        Assert.Equal([$"/runs/{first}", $"/runs/{second}"], links.Select(a => a.GetAttribute("href")));
        Assert.Equal(["brave-otter", "calm-heron"], links.Select(a => a.TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-test=runs-empty]"));
    }

    [Fact]
    public void Two_selected_runs_open_compare_with_both_ids()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        Tracker.Json("api/runs?", TrackerJson.Page(2, TrackerJson.Summary(first, "brave-otter"), TrackerJson.Summary(second, "calm-heron")));
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("tbody input[type=checkbox]").Count));
        Assert.True(page.Find("[data-test=compare]").HasAttribute("disabled"));

        page.FindAll("tbody input[type=checkbox]")[0].Change(true);
        page.FindAll("tbody input[type=checkbox]")[1].Change(true);

        page.WaitForAssertion(() => Assert.Equal($"/compare?runs={first},{second}", page.Find("[data-test=compare]").GetAttribute("href")));
    }
}
