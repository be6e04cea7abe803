using System.Net;
using Bunit;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.NewRun;

// The Run page's side of New run: Clone, and the runs that name this one as their parent.
public sealed class RunPageCloneTests : DashboardTestContext
{
    // The pages hand what the server prerender loaded to the circuit through the persisted component state.
    public RunPageCloneTests() => Context.AddBunitPersistentComponentState();

    private static readonly Guid RunId = Guid.Parse("6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a");
    private static readonly Guid CloneId = Guid.Parse("7a2d3b0f-1e2c-4d9f-8b68-4c3a5f6e7d8b");
    private static readonly Guid ResumedId = Guid.Parse("8b3e4c1a-2f3d-4e0a-9c79-5d4b6a7f8e9c");

    // The search the page sends for its children, as the canned tracker records it (unescaped).
    private static readonly string ChildrenQuery = $"api/runs?skip=0&take=20&filter=parent = \"{RunId}\"&orderBy=created desc";

    private void CannedRun()
    {
        Tracker.Json($"api/runs/{RunId}", RunJson.Of(RunId, "brave-otter"));
        Tracker.Json($"api/runs/{RunId}/artifacts", "[]");
    }

    [Fact]
    public void Clone_opens_new_run_with_this_run_to_clone()
    {
        CannedRun();
        Tracker.Json(ChildrenQuery, TrackerJson.Page(0));

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Equal($"/runs/new?clone={RunId}", page.Find("[data-test=clone]").GetAttribute("href")));
    }

    [Fact]
    public void Runs_whose_parent_is_this_run_are_listed_with_status_and_link()
    {
        CannedRun();
        Tracker.Json(ChildrenQuery, TrackerJson.Page(2, TrackerJson.Summary(CloneId, "otter-clone", "queued"), TrackerJson.Summary(ResumedId, "brave-otter-resumed", "finished")));

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-test=child]").Count));
        var children = page.FindAll("[data-test=child]");
        Assert.Equal($"/runs/{CloneId}", children[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("otter-clone", children[0].TextContent);
        Assert.Contains("queued", children[0].TextContent);
        Assert.Contains("brave-otter-resumed", children[1].TextContent);
        Assert.Empty(page.FindAll("[data-test=children-more]"));
        Assert.Contains($"GET {ChildrenQuery}", Tracker.Requests);
    }

    [Fact]
    public void A_run_without_children_says_so_and_more_children_than_shown_point_to_the_filter()
    {
        CannedRun();
        Tracker.Json(ChildrenQuery, TrackerJson.Page(0));
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=children-empty]")));

        Tracker.Json(ChildrenQuery, TrackerJson.Page(25, TrackerJson.Summary(CloneId, "otter-clone", "queued")));
        var many = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        many.WaitForAssertion(() => Assert.Contains("and 24 more", many.Find("[data-test=children-more]").TextContent));
        Assert.Equal($"/runs?filter={Uri.EscapeDataString($"parent = \"{RunId}\"")}", many.Find("[data-test=children-more] a").GetAttribute("href"));
    }

    [Fact]
    public void A_failing_child_search_is_a_warning_in_its_section_and_the_run_still_shows()
    {
        CannedRun();
        Tracker.Problem("api/runs?", HttpStatusCode.ServiceUnavailable, "The database is not reachable");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Contains("The database is not reachable", page.Find("[data-test=children-error]").TextContent));
        Assert.Contains("brave-otter", page.Find("h4").TextContent);
        Assert.Empty(page.FindAll("[data-test=run-error]"));
    }
}
