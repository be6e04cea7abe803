using EarlyBert.Training.EarlyBird;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class TicketMaskTests
{
    [Fact]
    public void Each_layer_loses_exactly_a_third_of_its_heads_those_of_smallest_magnitude()
    {
        // Twelve heads per layer with distinct magnitudes; signs must not matter (ranking is by |c|).
        var heads = new[]
        {
            new[] { 0.9f, -0.1f, 0.8f, 0.05f, 0.7f, 0.6f, -0.2f, 0.5f, 0.4f, 0.3f, 0.95f, 0.85f },
            Enumerable.Range(0, 12).Select(i => (float)(12 - i)).ToArray(),
        };
        var mask = TicketMask.FromCoefficients(heads, [[1f], [1f]], 1.0 / 3, 0);

        // Smallest magnitudes: 0.05 (head 3), |-0.1| (head 1), |-0.2| (head 6), 0.3 (head 9).
        Assert.Equal([true, false, true, false, true, true, false, true, true, false, true, true], mask.Heads[0]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i < 8).ToArray(), mask.Heads[1]);
        Assert.All(mask.KeptHeadFractionByLayer, f => Assert.Equal(8.0 / 12, f));
        Assert.Equal(16, mask.KeptHeads);
    }

    [Fact]
    public void Neurons_are_pruned_globally_so_layers_lose_different_shares_but_the_total_ratio_is_exact()
    {
        // Layer 0 holds most of the small coefficients: 0.4 × 30 = 12 go, 8 of them from layer 0.
        float[][] neurons =
        [
            [0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.06f, 0.07f, 0.08f, 5f, 5f],
            [0.5f, 0.6f, -0.09f, 0.095f, 5f, 5f, 5f, 5f, 5f, 5f],
            [0.4f, 0.45f, 5f, 5f, 5f, 5f, 5f, 5f, 5f, 5f],
        ];
        var mask = TicketMask.FromCoefficients([[1f, 1f, 1f], [1f, 1f, 1f], [1f, 1f, 1f]], neurons, 0, 0.4);

        Assert.Equal(18, mask.KeptNeurons);
        Assert.Equal([false, false, false, false, false, false, false, false, true, true], mask.Neurons[0]);
        Assert.Equal([true, true, false, false, true, true, true, true, true, true], mask.Neurons[1]);
        Assert.Equal([false, false, true, true, true, true, true, true, true, true], mask.Neurons[2]);
        Assert.Equal([0.2, 0.8, 0.8], mask.KeptNeuronFractionByLayer);
        Assert.All(mask.Heads, l => Assert.All(l, Assert.True));
    }

    [Fact]
    public void Equal_coefficients_prune_the_earlier_structures_and_a_layer_always_keeps_a_head()
    {
        var mask = TicketMask.FromCoefficients([[1f, 1f, 1f], [0f, 0f, 0f]], [[1f, 1f], [1f, 1f]], 0.9, 0.5);

        // round(3 × 0.9) = 3 would empty the layer; one head stays.
        Assert.Equal([false, false, true], mask.Heads[0]);
        Assert.Equal([false, false, true], mask.Heads[1]);
        Assert.Equal([false, false], mask.Neurons[0]);
        Assert.Equal([true, true], mask.Neurons[1]);
    }

    [Fact]
    public void Hamming_distance_is_the_fraction_of_structures_kept_in_one_mask_and_not_the_other()
    {
        var a = new TicketMask([[true, true, false, false], [true, false, true, false]], [[true, false, true, true, false]]);
        var b = new TicketMask([[true, false, true, false], [true, false, true, false]], [[true, true, true, true, true]]);

        Assert.Equal(2.0 / 8, a.HeadDistance(b));
        Assert.Equal(2.0 / 5, a.NeuronDistance(b));
        Assert.Equal(0, a.HeadDistance(a));
        Assert.Throws<ArgumentException>(() => a.HeadDistance(new TicketMask([[true]], [[true]])));
    }
}
