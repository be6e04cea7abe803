using EarlyBert.Web.Components.Shared.Charts;

namespace EarlyBert.Web.Tests.Shared;

public sealed class EmaTests
{
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void Constant_series_stays_constant_from_the_first_point(double weight)
    {
        var smoothed = Ema.Smooth([2.5, 2.5, 2.5, 2.5], weight);

        Assert.All(smoothed, v => Assert.Equal(2.5, v, 12));
    }

    [Fact]
    public void Debiasing_keeps_the_first_point_and_weighs_the_second_as_TensorBoard_does()
    {
        var smoothed = Ema.Smooth([1.0, 3.0], 0.5);

        // Biased averages 0.5 and 0.5*0.5+0.5*3 = 1.75, divided by 1-0.5 and 1-0.25.
        Assert.Equal(1.0, smoothed[0], 12);
        Assert.Equal(1.75 / 0.75, smoothed[1], 12);
    }

    [Fact]
    public void NaN_and_infinities_stay_gaps_and_do_not_enter_the_average()
    {
        var withGaps = Ema.Smooth([1.0, double.NaN, 3.0, double.PositiveInfinity, 5.0], 0.6);
        var withoutGaps = Ema.Smooth([1.0, 3.0, 5.0], 0.6);

        Assert.True(double.IsNaN(withGaps[1]));
        Assert.True(double.IsNaN(withGaps[3]));
        Assert.Equal(withoutGaps, new[] { withGaps[0], withGaps[2], withGaps[4] });
    }

    [Fact]
    public void Weight_zero_is_the_raw_series_and_weights_outside_0_to_0_99_are_refused()
    {
        Assert.Equal(new[] { 1.0, -4.0, 9.0 }, Ema.Smooth([1.0, -4.0, 9.0], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ema.Smooth([1.0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ema.Smooth([1.0], -0.1));
    }
}
