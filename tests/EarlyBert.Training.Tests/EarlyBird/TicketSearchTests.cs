using EarlyBert.Training.EarlyBird;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class TicketSearchTests
{
    // 10 heads in one layer and 10 neurons: one flipped head or neuron is a distance of 0.1, the default threshold.
    private static TicketMask Mask(int prunedHeadsFrom, int prunedNeuronsFrom) => new(
        [Enumerable.Range(0, 10).Select(i => i < prunedHeadsFrom).ToArray()],
        [Enumerable.Range(0, 10).Select(i => i < prunedNeuronsFrom).ToArray()]);

    [Fact]
    public void Ticket_is_drawn_when_the_newest_mask_is_within_the_threshold_of_each_of_the_previous_four()
    {
        var search = new TicketSearch(window: 5, threshold: 0.1, capStep: 1000);
        // Heads settle at 7 kept from the third mask on; the neurons wander by one neuron (0.1) and then by two.
        var sequence = new[] { Mask(3, 9), Mask(5, 9), Mask(7, 8), Mask(7, 8), Mask(7, 7), Mask(7, 6), Mask(7, 7), Mask(7, 7), Mask(7, 7) };
        var observations = sequence.Take(7).Select((m, i) => search.Observe((i + 1) * 10, m)).ToList();

        Assert.Null(observations[0].HeadDistance);
        Assert.Equal(0.2, observations[1].HeadDistance!.Value, 12);
        Assert.Equal(0.4, observations[2].HeadDistance!.Value, 12);
        // Step 60 (neurons 6) is 0.2 from steps 30 and 40 (neurons 8). Step 70 compares with steps 30..60: heads all
        // equal, neurons 8, 8, 7, 6 against 7, at most 0.1 = threshold, which counts as agreement.
        Assert.All(observations.Take(6), o => Assert.Null(o.Draw));
        var draw = observations[6].Draw;
        Assert.NotNull(draw);
        Assert.Equal(70, draw.Step);
        Assert.Equal(DrawReason.Converged, draw.Reason);
        Assert.Same(sequence[6], draw.Mask);
        Assert.Equal(0.0, observations[6].HeadDistance);
        Assert.Equal(0.1, observations[6].NeuronDistance!.Value, 12);
        Assert.Throws<InvalidOperationException>(() => search.Observe(80, sequence[7]));
    }

    [Fact]
    public void No_draw_while_any_of_the_window_is_farther_than_the_threshold_or_the_window_is_not_full()
    {
        var search = new TicketSearch(window: 5, threshold: 0.1, capStep: 1000);
        // Four identical masks do not fill a window of five.
        for (var step = 1; step <= 4; step++)
            Assert.Null(search.Observe(step, Mask(7, 7)).Draw);
        // The fifth is 0.2 away from all four in heads: no draw, though the neurons agree.
        var far = search.Observe(5, Mask(5, 7));
        Assert.Null(far.Draw);
        Assert.Equal(0.2, far.HeadDistance!.Value, 12);
        // While the far mask is in the window, masks like the old ones are 0.2 from it.
        for (var step = 6; step <= 9; step++)
            Assert.Null(search.Observe(step, Mask(7, 7)).Draw);
        // Once it has left the window, the rule is met.
        Assert.Equal(DrawReason.Converged, search.Observe(10, Mask(7, 7)).Draw?.Reason);
    }

    [Fact]
    public void Cap_draws_the_newest_mask_and_says_so()
    {
        var search = new TicketSearch(window: 5, threshold: 0.1, capStep: 30);
        Assert.Null(search.Observe(10, Mask(1, 1)).Draw);
        Assert.Null(search.Observe(20, Mask(9, 9)).Draw);
        var capped = search.Observe(30, Mask(4, 4));

        Assert.Equal(new TicketDraw(30, capped.Draw!.Mask, DrawReason.Cap), capped.Draw);
        Assert.Equal(0.5, capped.HeadDistance!.Value, 12);
        Assert.Equal(search.Draw, capped.Draw);
    }

    [Fact]
    public void Window_threshold_and_cap_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TicketSearch(1, 0.1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TicketSearch(5, 1.5, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TicketSearch(5, 0.1, -1));
    }
}
