using Bunit;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Shared;

/// <summary>A zoom on a run's chart re-queries the visible steps, as Compare does; double-click goes back.</summary>
public sealed class MetricChartZoomTests : DashboardTestContext
{
    private static readonly Guid Run = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");

    [Fact]
    public async Task Zooming_a_run_chart_requeries_the_visible_steps_and_a_reset_asks_for_the_whole_series()
    {
        Tracker.Json($"api/runs/{Run}/metrics/downsampled?key=train/loss&maxPoints=500&fromStep=100", RunJson.Series("train/loss", [100, 150, 200], [0.5, 0.4, 0.3]));
        Tracker.Json($"api/runs/{Run}/metrics/downsampled", RunJson.Series("train/loss", [0, 500, 1000], [1, 0.5, 0.2]));
        var charts = Render<RunMetricCharts>(p => p.Add(c => c.RunId, Run).Add(c => c.Keys, ["train/loss"]));
        charts.WaitForAssertion(() => Assert.Equal([0L, 500, 1000], charts.FindComponent<MetricChart>().Instance.Series[0].Series.Steps));

        await charts.InvokeAsync(() => charts.FindComponent<MetricChart>().Instance.OnZoomed(100.2, 199.7));

        charts.WaitForAssertion(() => Assert.Equal([100L, 150, 200], charts.FindComponent<MetricChart>().Instance.Series[0].Series.Steps));
        Assert.Contains($"GET api/runs/{Run}/metrics/downsampled?key=train/loss&maxPoints=500&fromStep=100&toStep=200", Tracker.Requests);

        await charts.InvokeAsync(() => charts.FindComponent<MetricChart>().Instance.OnZoomed(null, null));

        charts.WaitForAssertion(() => Assert.Equal([0L, 500, 1000], charts.FindComponent<MetricChart>().Instance.Series[0].Series.Steps));
        Assert.Equal(2, Tracker.Requests.Count(r => r == $"GET api/runs/{Run}/metrics/downsampled?key=train/loss&maxPoints=500"));
    }

    [Fact]
    public async Task A_zoom_on_the_epoch_axis_before_the_lines_arrive_is_mapped_to_steps_once_they_do()
    {
        var zooms = new List<StepRange?>();
        var options = new Components.Shared.Charts.MetricChartOptions(Components.Shared.Charts.ChartXAxis.Epoch, 0, false);
        var chart = Render<MetricChart>(p => p
            .Add(c => c.Metric, "eval/loss")
            .Add(c => c.Source, "/compare/data?runs=a,b&metric=eval%2Floss&maxPoints=600&x=epoch")
            .Add(c => c.Series, [])
            .Add(c => c.Options, options)
            .Add(c => c.OnZoom, range => zooms.Add(range)));

        // The plot drawn from Source before the circuit had the series: nothing to map the epochs to yet.
        await chart.InvokeAsync(() => chart.Instance.OnZoomed(1.2, 1.8));
        Assert.Empty(zooms);

        var series = new DownsampledSeries("eval/loss", 4, false, [100, 200, 300, 400], [0.5, 0.4, 0.3, 0.2], [1.0, 1.5, 2.0, 2.5]);
        await chart.InvokeAsync(() => chart.Render(p => p.Add(c => c.Series, [new ChartSeries("otter", series)])));

        // The points inside 1.2–1.8 (epoch 1.5, step 200) widened by one point either side.
        Assert.Equal([new StepRange(100, 300)], zooms);
    }
}
