using System.Net;
using Bunit;
using Bunit.TestDoubles;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Shared.Charts;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.Compare;

public sealed class ComparePageTests : DashboardTestContext
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    // Most tests look at the interactive page; the prerender has its own test.
    public ComparePageTests()
    {
        state = Context.AddBunitPersistentComponentState();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
    }

    private readonly BunitPersistentComponentState state;

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void The_server_prerender_asks_only_for_the_outline_and_names_each_charts_data_address()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        CannedComparison("bf16-mixed");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss&smooth=0.6");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=not-comparable]")));
        // The browser fetches the chart's lines from this address as soon as the HTML arrives, before the circuit.
        Assert.Equal($"/compare/data?runs={A},{B}&metric=eval%2Floss&maxPoints=600&smooth=0.6",
            page.Find("[data-test=metric-chart][data-metric='eval/loss'] [data-chart-src]").GetAttribute("data-chart-src"));
        Assert.Equal($"/compare/data?runs={A},{B}&metric=eval%2Floss&maxPoints=600&smooth=0.6", page.Find("link[rel=preload][as=fetch]").GetAttribute("href"));
        Assert.Equal([$"GET api/compare?runs={A},{B}&maxPoints=1000"], Tracker.Requests);
    }

    private void CannedComparison(string bPrecision)
    {
        Tracker.Json("api/compare", $$"""
            {"runs":[{{TrackerJson.Summary(A, "otter")}},{{TrackerJson.Summary(B, "heron")}}],
             "params":[{"key":"training.batch_size","values":["16","16"],"differs":false},
                       {"key":"training.precision","values":["float32","{{bPrecision}}"],"differs":{{(bPrecision != "float32" ? "true" : "false")}}}],
             "metadata":[{"key":"precision","values":["float32","{{bPrecision}}"],"differs":{{(bPrecision != "float32" ? "true" : "false")}}}],
             "metrics":[{"key":"eval/loss","latest":[0.3,0.4],"differs":true,
                         "series":[{{RunJson.Series("eval/loss", [10, 20], [0.25, 0.3])}},{{RunJson.Series("eval/loss", [10, 20], [0.5, 0.4])}}]}],
             "metricKeys":["eval/accuracy","eval/loss"]}
            """);
    }

    [Fact]
    public void Runs_that_differ_in_precision_raise_the_banner_with_the_reason_in_words()
    {
        CannedComparison("bf16-mixed");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=not-comparable]")));
        var reasons = page.FindAll("[data-test=reason]").Select(r => r.TextContent).ToList();
        Assert.Contains("run heron trained in bf16-mixed, run otter in float32", reasons);
        Assert.Contains("runs otter and heron record no device", reasons);
        Assert.Empty(page.FindAll("[data-test=comparable]"));
        Assert.Contains($"GET api/compare?runs={A},{B}&metrics=eval/loss&maxPoints=1000", Tracker.Requests);
    }

    [Fact]
    public void The_summary_gives_last_and_best_per_run_with_loss_minimised()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=metric-summary]")));
        var otter = page.FindAll("[data-test=metric-summary] tr[data-run=otter] td").Select(c => c.TextContent).ToList();
        var heron = page.FindAll("[data-test=metric-summary] tr[data-run=heron] td").Select(c => c.TextContent).ToList();
        Assert.Equal(["eval/loss", "otter", "0.3 (step 20)", "0.25", "10"], otter);
        Assert.Equal(["eval/loss", "heron", "0.4 (step 20)", "0.4", "20"], heron);
        Assert.Equal(2, page.FindComponents<Components.Shared.MetricChart>().Single().Instance.Series.Count);
    }

    [Fact]
    public void The_diff_toggle_is_written_into_the_address_and_the_address_alone_restores_it()
    {
        CannedComparison("bf16-mixed");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-test=compare-params] tr[data-key]").Count));

        page.Find("[data-test=compare-params] input[data-test=only-differences]").Change(true);

        Assert.EndsWith($"/compare?runs={A},{B}&metrics=eval%2Floss&diff=1", Navigation.Uri);
        page.WaitForAssertion(() => Assert.Equal(["training.precision"],
            page.FindAll("[data-test=compare-params] tr[data-key]").Select(r => r.GetAttribute("data-key"))));
    }

    [Fact]
    public void Without_metrics_in_the_address_the_metrics_the_runs_logged_are_charted()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=metric-choice]")));
        Assert.Contains($"GET api/compare?runs={A},{B}&metrics=eval/accuracy,eval/loss&maxPoints=1000", Tracker.Requests);
        Assert.Equal(2, page.FindAll("[data-test=metric-choice] input[type=checkbox]").Count);
    }

    [Fact]
    public void The_metric_choice_comes_from_the_compare_answer_without_asking_each_run_for_its_metrics()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Equal(2, Tracker.Requests.Count));
        Assert.Single(page.FindComponents<Components.Shared.MetricChart>());
        Assert.Equal(["eval/accuracy", "eval/loss"], page.FindAll("[data-test=metric-choice] label").Select(l => l.TextContent.Trim()));
        // The outline (keys, params, metadata), then the series for the summary; the charts fetch their own lines.
        Assert.Equal([$"GET api/compare?runs={A},{B}&maxPoints=1000", $"GET api/compare?runs={A},{B}&metrics=eval/loss&maxPoints=1000"], Tracker.Requests);
    }

    [Fact]
    public void An_address_with_one_run_explains_itself_without_asking_the_tracker()
    {
        Navigation.NavigateTo($"/compare?runs={A}");

        var page = Render<ComparePage>();

        Assert.Contains("this address names 1", page.Find("[data-test=compare-query]").TextContent);
        Assert.Empty(Tracker.Requests);
    }

    [Fact]
    public void A_tracker_refusal_shows_its_message()
    {
        Tracker.Problem("api/compare", HttpStatusCode.NotFound, $"Run {B} does not exist");
        Navigation.NavigateTo($"/compare?runs={A},{B}");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Contains($"Run {B} does not exist", page.Find("[data-test=compare-error]").TextContent));
    }

    [Fact]
    public void Chart_settings_in_the_address_reach_the_charts_and_the_epoch_axis_asks_for_epochs()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss&x=epoch&smooth=0.6&log=1");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindComponents<Components.Shared.MetricChart>()));
        var chart = page.FindComponent<Components.Shared.MetricChart>();
        Assert.Equal(new Components.Shared.Charts.MetricChartOptions(Components.Shared.Charts.ChartXAxis.Epoch, 0.6, true), chart.Instance.Options);
        Assert.Contains($"GET api/compare?runs={A},{B}&metrics=eval/loss&maxPoints=1000&include=epochs,timestamps", Tracker.Requests);
        // With smoothing each run is drawn twice: faint raw and smoothed.
        Assert.Equal(4, Components.Shared.MetricChart.Traces(chart.Instance.Series, chart.Instance.Options).Count);
    }

    [Fact]
    public void The_log_scale_switch_is_written_into_the_address_keeping_the_other_settings()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss&smooth=0.3");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=chart-controls]")));

        page.Find("[data-test=chart-controls] input[data-test=log-scale]").Change(true);

        Assert.EndsWith($"/compare?runs={A},{B}&metrics=eval%2Floss&smooth=0.3&log=1", Navigation.Uri);
    }

    [Fact]
    public async Task A_zoom_points_the_chart_at_the_visible_steps_and_a_reset_at_the_whole_series()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindComponent<Components.Shared.MetricChart>().Instance.Series.Count));
        var asked = Tracker.Requests.Count;

        await page.InvokeAsync(() => page.FindComponent<Components.Shared.MetricChart>().Instance.OnZoomed(10.4, 15.2));

        Assert.Equal($"/compare/data?runs={A},{B}&metric=eval%2Floss&maxPoints=600&fromStep=10&toStep=16", page.FindComponent<Components.Shared.MetricChart>().Instance.Source);
        Assert.Equal(asked, Tracker.Requests.Count);

        await page.InvokeAsync(() => page.FindComponent<Components.Shared.MetricChart>().Instance.OnZoomed(null, null));

        Assert.Equal($"/compare/data?runs={A},{B}&metric=eval%2Floss&maxPoints=600", page.FindComponent<Components.Shared.MetricChart>().Instance.Source);
    }

    [Fact]
    public void The_legend_gives_each_run_its_line_colour_and_pressing_a_run_hides_its_lines_through_the_address()
    {
        CannedComparison("float32");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss&log=1&hide={B}");
        var page = Render<ComparePage>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=metric-summary]")));

        var entries = page.FindAll("[data-test=compare-legend] .eb-legend-entry");
        Assert.Equal([A.ToString(), B.ToString()], entries.Select(e => e.GetAttribute("data-run")));
        Assert.Equal(["false", "true"], entries.Select(e => e.GetAttribute("data-hidden")));
        Assert.Equal(["true", "false"], entries.Select(e => e.QuerySelector("button")!.GetAttribute("aria-pressed")));
        Assert.Contains(ChartColors.For(0), entries[0].QuerySelector(".eb-swatch")!.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Contains(ChartColors.For(1), entries[1].QuerySelector(".eb-swatch")!.GetAttribute("style"), StringComparison.Ordinal);
        Assert.Equal([$"/runs/{A}", $"/runs/{B}"], entries.Select(e => e.QuerySelector("a")!.GetAttribute("href")));
        Assert.Equal($"/compare/data?runs={A},{B}&metric=eval%2Floss&maxPoints=600&log=1&hide={B}",
            page.FindComponent<Components.Shared.MetricChart>().Instance.Source);

        page.Find($".eb-legend-entry[data-run='{A}'] button").Click();
        Assert.EndsWith($"/compare?runs={A},{B}&metrics=eval%2Floss&hide={A},{B}&log=1", Navigation.Uri);

        page.Find($".eb-legend-entry[data-run='{B}'] button").Click();
        Assert.EndsWith($"/compare?runs={A},{B}&metrics=eval%2Floss&hide={A}&log=1", Navigation.Uri);

        page.Find($".eb-legend-entry[data-run='{A}'] button").Click();
        Assert.EndsWith($"/compare?runs={A},{B}&metrics=eval%2Floss&log=1", Navigation.Uri);
    }

    [Theory]
    [InlineData(2, "mud-grid-item-lg-6")]
    [InlineData(ComparePage.SideBySideRuns + 1, "mud-grid-item-lg-12")]
    public void Params_and_metadata_stand_side_by_side_for_a_few_runs_and_one_above_the_other_for_more(int runs, string widthClass)
    {
        var ids = Enumerable.Range(1, runs).Select(i => Guid.Parse($"cccccccc-0000-0000-0000-{i:D12}")).ToList();
        Tracker.Json("api/compare", $$"""
            {"runs":[{{string.Join(',', ids.Select((id, i) => TrackerJson.Summary(id, $"run-{i}")))}}],
             "params":[{"key":"training.batch_size","values":[{{string.Join(',', ids.Select(_ => "\"16\""))}}],"differs":false}],
             "metadata":[],"metrics":[],"metricKeys":[]}
            """);
        Navigation.NavigateTo($"/compare?runs={string.Join(',', ids)}&metrics=");

        var page = Render<ComparePage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=compare-params]")));
        foreach (var table in new[] { "compare-params", "compare-metadata" })
        {
            Assert.Contains(widthClass, page.Find($"[data-test={table}]").ParentElement!.ClassList);
        }
    }

    [Fact]
    public void The_circuit_shows_the_prerenders_outline_at_once_and_asks_only_for_the_series()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        CannedComparison("bf16-mixed");
        Navigation.NavigateTo($"/compare?runs={A},{B}&metrics=eval/loss");
        var prerender = Render<ComparePage>();
        prerender.WaitForAssertion(() => Assert.Single(prerender.FindAll("[data-test=not-comparable]")));
        state.TriggerOnPersisting();

        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
        var circuit = Render<ComparePage>();

        circuit.WaitForAssertion(() => Assert.Single(circuit.FindAll("[data-test=metric-summary]")));
        Assert.Single(circuit.FindAll("[data-test=not-comparable]"));
        Assert.Equal([$"GET api/compare?runs={A},{B}&maxPoints=1000", $"GET api/compare?runs={A},{B}&metrics=eval/loss&maxPoints=1000"], Tracker.Requests);
    }
}
