using Bunit;
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
}
