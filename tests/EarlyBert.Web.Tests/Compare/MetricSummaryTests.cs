using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Components.Pages.Compare;

namespace EarlyBert.Web.Tests.Compare;

public sealed class MetricSummaryTests
{
    private static DownsampledSeries Series(string key, long[] steps, double[] values) => new(key, steps.Length, false, steps, values);

    [Fact]
    public void Best_of_a_loss_is_its_minimum_and_the_first_step_that_reached_it()
    {
        var summary = MetricSummary.Of("eval/loss", "a", Series("eval/loss", [0, 10, 20, 30], [0.9, 0.2, 0.2, 0.4]));

        Assert.Equal((0.4, 30L), (summary.Last, summary.LastStep));
        Assert.Equal((0.2, 10L), (summary.Best, summary.BestStep));
    }

    [Fact]
    public void Best_of_anything_else_is_its_maximum()
    {
        var summary = MetricSummary.Of("eval/accuracy", "a", Series("eval/accuracy", [0, 10, 20], [0.5, 0.93, 0.91]));

        Assert.Equal((0.93, 10L), (summary.Best, summary.BestStep));
        Assert.Equal((0.91, 20L), (summary.Last, summary.LastStep));
    }

    [Fact]
    public void A_nan_is_never_best_but_is_shown_as_the_last_value()
    {
        var summary = MetricSummary.Of("train/loss", "a", Series("train/loss", [0, 10], [0.7, double.NaN]));

        Assert.Equal((0.7, 0L), (summary.Best, summary.BestStep));
        Assert.True(double.IsNaN(summary.Last!.Value));
    }

    [Fact]
    public void A_run_without_the_metric_has_no_values()
    {
        Assert.Equal(new MetricSummary("eval/f1_macro", "a", null, null, null, null), MetricSummary.Of("eval/f1_macro", "a", null));
    }
}
