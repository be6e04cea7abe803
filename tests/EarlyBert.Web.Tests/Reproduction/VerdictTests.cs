using Bunit;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Reproduction;

public sealed class VerdictTests : DashboardTestContext
{
    // The pages hand what the server prerender loaded to the circuit through the persisted component state.
    public VerdictTests() => Context.AddBunitPersistentComponentState();

    private static readonly Guid ParentId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid ChildId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    private IRenderedComponent<RunPage> RenderChild(string status, string record, string? report = null)
    {
        Tracker.Json($"api/runs/{ChildId}", ReproductionJson.Run(ChildId, "otter-reproduction", status, parent: ParentId, reproduction: record));
        Tracker.Json($"api/runs/{ChildId}/artifacts", "[]");
        Tracker.Json($"api/runs/{ChildId}/reproduction", report ?? ReproductionJson.Report(ChildId, status, record));
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        var page = Render<RunPage>(p => p.Add(x => x.Id, ChildId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=reproduction]")));
        return page;
    }

    [Theory]
    [InlineData("identical", "identical: every loss and evaluation metric bit for bit equal", "mud-alert-outlined-success", "mud-chip-color-success")]
    [InlineData("within tolerance", "within tolerance: largest relative loss difference 3.2e-07 (tolerance 1e-04)", "mud-alert-outlined-info", "mud-chip-color-info")]
    [InlineData("diverged at step 4", "diverged at step 4: train/loss 0.69 (parent) vs 0.71 (reproduction)", "mud-alert-outlined-error", "mud-chip-color-error")]
    [InlineData("not reproduced", "not reproduced: not reproducible: data.sha256 differs (parent ab12, reproduction cd34)", "mud-alert-outlined-warning", "mud-chip-color-warning")]
    public void A_reproduction_shows_its_verdict_in_its_colour_with_the_description_and_its_parent(string verdict, string description, string alertClass, string chipClass)
    {
        var page = RenderChild(verdict == "not reproduced" ? "failed" : "finished", ReproductionJson.Record(ParentId, verdict, description));

        var chip = page.Find("[data-test=verdict-alert] [data-test=verdict]");
        Assert.Equal(verdict, chip.TextContent.Trim());
        Assert.Equal(verdict, chip.GetAttribute("data-verdict"));
        Assert.Contains(chipClass, chip.ClassList);
        Assert.Contains(alertClass, page.Find("[data-test=verdict-alert]").ClassList);
        Assert.Equal(description, page.Find("[data-test=verdict-description]").TextContent.Trim());
        Assert.Equal($"/runs/{ParentId}", page.Find("[data-test=reproduction-parent]").GetAttribute("href"));
        Assert.Contains("Reproduces", page.Find("[data-test=parent]").TextContent);
    }

    [Fact]
    public void A_divergence_names_its_step_metric_and_both_values()
    {
        var record = ReproductionJson.Record(ParentId, "diverged at step 4", "diverged at step 4: train/loss 0.69 (parent) vs 0.71 (reproduction)",
            divergence: """{"step":4,"metric":"train/loss","parentValue":0.69,"childValue":0.71,"relativeDifference":0.028}""", maxRelative: 0.028);

        var page = RenderChild("finished", record);

        var facts = page.Find("[data-test=reproduction-facts]").TextContent;
        Assert.Contains("step 4, train/loss: 0.69 (parent) vs 0.71 (reproduction)", facts);
        Assert.Contains("0.028 relative", facts);
        Assert.Contains("0.0001 relative", facts);
    }

    [Fact]
    public void The_environment_differences_and_the_overrides_recorded_are_shown()
    {
        var record = ReproductionJson.Record(ParentId, "within tolerance", "within tolerance", overrides: """{"training.threads":"2"}""",
            environment: """[{"key":"versions.torchsharp","parent":"0.105.0","child":"0.105.1"},{"key":"math_kernels","parent":"mkl","child":null}]""",
            environmentNote: "reproduced under different versions: versions.torchsharp 0.105.0 → 0.105.1, math_kernels mkl → (none)");

        var page = RenderChild("finished", record);

        Assert.Equal("reproduced under different versions: versions.torchsharp 0.105.0 → 0.105.1, math_kernels mkl → (none)",
            page.Find("[data-test=environment-note]").TextContent.Trim());
        var rows = page.FindAll("[data-test=environment-difference]").Select(r => string.Join('|', r.Children.Select(c => c.TextContent.Trim()))).ToList();
        Assert.Equal(["versions.torchsharp|0.105.0|0.105.1", "math_kernels|mkl|—"], rows);
        var overrides = page.Find("[data-test=reproduction-overrides]").TextContent;
        Assert.Contains("training.threads", overrides);
        Assert.Contains("2", overrides);
        Assert.Contains("passed", page.Find("[data-test=reproduction-facts]").TextContent);
    }

    [Fact]
    public void A_reproduction_of_the_config_verbatim_under_the_same_environment_says_so()
    {
        var page = RenderChild("finished", ReproductionJson.Record(ParentId, "identical", "identical"));

        Assert.Equal("Same versions, device and math kernels as the parent.", page.Find("[data-test=environment-note]").TextContent.Trim());
        Assert.Contains("None: the parent's stored config verbatim.", page.Find("[data-test=reproduction-overrides]").TextContent);
    }

    [Fact]
    public void The_difference_chart_gets_one_line_per_compared_metric_with_missing_values_as_gaps_named_below()
    {
        var record = ReproductionJson.Record(ParentId, "diverged at step 3", "diverged at step 3: eval/loss 0.5 (parent) vs no value (reproduction)");
        var report = ReproductionJson.Report(ChildId, "finished", record, $"[{ReproductionJson.Differences("train/loss", [1, 2, 3], [0, 1e-7, 2e-6])},{ReproductionJson.Differences("eval/loss", [2, 3], [0, double.PositiveInfinity])}]");

        var page = RenderChild("finished", record, report);

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=differences] [data-test=metric-chart]")));
        var chart = page.FindComponents<MetricChart>().Single(c => c.Instance.Metric.StartsWith("relative difference", StringComparison.Ordinal));
        Assert.Equal(["train/loss", "eval/loss"], chart.Instance.Series.Select(s => s.Name));
        Assert.Equal([1L, 2, 3], chart.Instance.Series[0].Series.Steps);
        Assert.Equal([0, 1e-7, 2e-6], chart.Instance.Series[0].Series.Values);
        Assert.Equal([2L, 3], chart.Instance.Series[1].Series.Steps);
        Assert.Equal(0, chart.Instance.Series[1].Series.Values[0]);
        Assert.True(double.IsNaN(chart.Instance.Series[1].Series.Values[1]));
        Assert.Equal("eval/loss: only one of the runs has a value at step 3", page.Find("[data-test=differences-missing]").TextContent.Trim());
        Assert.Contains($"GET api/runs/{ChildId}/reproduction", Tracker.Requests);
    }

    [Fact]
    public void A_reproduction_still_training_says_its_verdict_comes_when_it_ends()
    {
        var page = RenderChild("running", ReproductionJson.Record(ParentId, null, precondition: "passed"));

        Assert.Equal("not judged yet", page.Find("[data-test=verdict-alert] [data-test=verdict]").TextContent.Trim());
        Assert.StartsWith("The verdict is given when this run ends", page.Find("[data-test=verdict-description]").TextContent.Trim());
    }

    [Fact]
    public void An_ended_reproduction_the_run_answer_has_not_judged_yet_shows_the_verdict_of_the_report()
    {
        var report = ReproductionJson.Report(ChildId, "finished", ReproductionJson.Record(ParentId, "identical", "identical"));

        var page = RenderChild("finished", ReproductionJson.Record(ParentId, null), report);

        page.WaitForAssertion(() => Assert.Equal("identical", page.Find("[data-test=verdict-alert] [data-test=verdict]").TextContent.Trim()));
    }

    [Fact]
    public void A_parent_lists_its_reproductions_with_their_verdicts_and_its_clones_without()
    {
        var reproduction = Guid.NewGuid();
        var clone = Guid.NewGuid();
        Tracker.Json($"api/runs/{ParentId}", ReproductionJson.Run(ParentId, "otter"));
        Tracker.Json($"api/runs/{ParentId}/artifacts", "[]");
        Tracker.Json("api/runs?", TrackerJson.Page(2,
            TrackerJson.Summary(reproduction, "otter-reproduction").TrimEnd('}') + $",\"parentRunId\":\"{ParentId}\",\"verdict\":\"identical\"}}",
            TrackerJson.Summary(clone, "otter-clone").TrimEnd('}') + $",\"parentRunId\":\"{ParentId}\"}}"));

        var page = Render<RunPage>(p => p.Add(x => x.Id, ParentId));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-test=child]").Count));
        var children = page.FindAll("[data-test=child]");
        Assert.Equal("identical", children[0].QuerySelector("[data-test=verdict]")!.TextContent.Trim());
        Assert.Null(children[1].QuerySelector("[data-test=verdict]"));
        Assert.Empty(page.FindAll("[data-test=reproduction]"));
    }
}
