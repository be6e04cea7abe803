using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Shared.Charts;

namespace EarlyBert.Web.Tests.Compare;

public sealed class CompareViewTests
{
    private static readonly Guid A = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid B = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");

    [Fact]
    public void Every_chart_setting_survives_the_round_trip_through_the_address()
    {
        var view = new CompareView(["train/loss", "eval/f1"], true, new MetricChartOptions(ChartXAxis.Epoch, 0.6, true), [B]);

        var href = CompareQuery.Href([A, B], view);
        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + href).Query);
        var parsed = CompareQuery.ParseView(query["metrics"], query["diff"], query["x"], query["smooth"], query["log"], query["hide"]);

        Assert.Equal($"/compare?runs={A},{B}&metrics=train%2Floss,eval%2Ff1&diff=1&hide={B}&x=epoch&smooth=0.6&log=1", href);
        Assert.Equal(view.Metrics, parsed.Metrics);
        Assert.Equal(view.Hidden, parsed.Hidden);
        Assert.True(parsed.Hides(B));
        Assert.False(parsed.Hides(A));
        Assert.Equal(view with { Metrics = null, Hidden = null }, parsed with { Metrics = null, Hidden = null });
    }

    [Fact]
    public void Defaults_are_left_out_of_the_address()
    {
        Assert.Equal($"/compare?runs={A},{B}", CompareQuery.Href([A, B], new CompareView(null, false, MetricChartOptions.Default)));
        Assert.Equal(MetricChartOptions.Default, CompareQuery.ParseView(null, null, null, null, null).Chart);
        Assert.Null(CompareQuery.ParseView(null, null, null, null, null, "").Hidden);
        // What is not a run id is ignored, like any other setting that makes no sense.
        Assert.Equal([A], CompareQuery.ParseView(null, null, null, null, null, $"nonsense,{A},{A}").Hidden);
    }

    [Theory]
    [InlineData("sideways", "0.5", ChartXAxis.Step, 0.5)]
    [InlineData("1", "2", ChartXAxis.Step, 0.99)]
    [InlineData("TIME", "-1", ChartXAxis.Time, 0)]
    [InlineData("epoch", "NaN", ChartXAxis.Epoch, 0)]
    public void Nonsense_in_the_address_falls_back_to_defaults_and_smoothing_is_clamped(string x, string smooth, ChartXAxis axis, double weight)
    {
        var chart = CompareQuery.ParseView(null, null, x, smooth, "yes").Chart;

        Assert.Equal(new MetricChartOptions(axis, weight, false), chart);
    }
}
