using Bunit;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Pages.Runs;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.Reproduction;

/// <summary>Verdicts where runs are listed: the Runs page's Verdict column and the Compare page.</summary>
public sealed class VerdictListsTests : DashboardTestContext
{
    private static readonly Guid ParentId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid ChildId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    private static readonly Guid CloneId = Guid.Parse("cccccccc-bbbb-cccc-dddd-eeeeeeeeeeee");

    // Both pages ask the tracker from the interactive circuit.
    public VerdictListsTests()
    {
        Context.AddBunitPersistentComponentState();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
    }

    private static string Child(Guid id, string name, Guid parent, string? verdict) =>
        TrackerJson.Summary(id, name).TrimEnd('}') + $",\"parentRunId\":\"{parent}\",\"verdict\":{(verdict is null ? "null" : $"\"{verdict}\"")}}}";

    [Fact]
    public void The_runs_list_shows_each_reproductions_verdict_and_nothing_for_other_runs()
    {
        Tracker.Json("api/runs?", TrackerJson.Page(4,
            TrackerJson.Summary(ParentId, "otter"),
            Child(ChildId, "otter-reproduction", ParentId, "diverged at step 4"),
            Child(Guid.NewGuid(), "otter-reproduction-2", ParentId, "within tolerance"),
            Child(CloneId, "otter-clone", ParentId, null)));

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll(".mud-table-body tr.mud-table-row").Count));
        Assert.Contains("Verdict", page.FindAll(".mud-table-head th").Select(h => h.TextContent.Trim()));
        var verdicts = page.FindAll("[data-column=verdict]").Select(cell => cell.TextContent.Trim()).ToList();
        Assert.Equal(["", "diverged at step 4", "within tolerance", ""], verdicts);
        Assert.Contains("mud-chip-color-error", page.FindAll("[data-column=verdict]")[1].QuerySelector("[data-test=verdict]")!.ClassList);
    }

    [Fact]
    public void Compare_of_a_parent_and_its_reproduction_names_the_pair_and_the_verdict_under_the_banner()
    {
        Tracker.Json("api/compare", $$"""
            {"runs":[{{TrackerJson.Summary(ParentId, "otter")}},{{Child(ChildId, "otter-reproduction", ParentId, null)}},{{Child(CloneId, "otter-clone", ParentId, null)}}],
             "params":[],"metadata":[],"metrics":[],"metricKeys":[]}
            """);
        Tracker.Json($"api/runs/{ChildId}", ReproductionJson.Run(ChildId, "otter-reproduction", parent: ParentId,
            reproduction: ReproductionJson.Record(ParentId, "identical", "identical: every loss and evaluation metric bit for bit equal")));
        Tracker.Json($"api/runs/{CloneId}", ReproductionJson.Run(CloneId, "otter-clone", parent: ParentId));
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?runs={ParentId},{ChildId},{CloneId}&metrics=");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=compare-verdict]")));
        var line = page.Find("[data-test=compare-verdict]");
        Assert.Equal("identical", line.QuerySelector("[data-test=verdict]")!.TextContent.Trim());
        Assert.Contains("reproduces run", line.TextContent);
        Assert.Equal([$"/runs/{ChildId}", $"/runs/{ParentId}"], line.QuerySelectorAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("every loss and evaluation metric bit for bit equal", line.TextContent);
    }

    [Fact]
    public void Compare_of_runs_without_a_parent_among_them_shows_no_verdict_and_asks_nothing_more()
    {
        Tracker.Json("api/compare", $$"""
            {"runs":[{{TrackerJson.Summary(ParentId, "otter")}},{{TrackerJson.Summary(CloneId, "heron")}}],
             "params":[],"metadata":[],"metrics":[],"metricKeys":[]}
            """);
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?runs={ParentId},{CloneId}&metrics=");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-test=compare-loading]")));
        Assert.Empty(page.FindAll("[data-test=compare-verdict]"));
        Assert.DoesNotContain(Tracker.Requests, r => r.StartsWith("GET api/runs/", StringComparison.Ordinal));
    }
}
