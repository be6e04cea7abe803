using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Modeling;
using Xunit.Abstractions;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class PruningTests(ITestOutputHelper output)
{
    // Layer 0 loses heads 1 and 3, layer 1 head 0; the neurons go unevenly (global pruning): 40 from layer 0, 63 from layer 1.
    private static TicketMask Mask() => new(
        [[true, false, true, false], [false, true, true, true]],
        [Enumerable.Range(0, 128).Select(i => i % 16 >= 5).ToArray(), Enumerable.Range(0, 128).Select(i => i % 2 == 0 || i == 127).ToArray()]);

    [Fact]
    public void Pruned_model_gives_the_logits_of_the_searched_model_with_the_pruned_structures_at_zero()
    {
        using var batch = EarlyBirdModel.Batch();
        using var searched = EarlyBirdModel.Load();
        Slimming.Enable(searched);
        var mask = Mask();
        // Kept structures carry coefficients away from 1 (as after a search), which pruning must fold into the weights.
        var random = new Random(7);
        float[][] heads = mask.Heads.Select(l => l.Select(k => k ? 0.5f + (float)random.NextDouble() : 0f).ToArray()).ToArray();
        float[][] neurons = mask.Neurons.Select(l => l.Select(k => k ? 0.5f + (float)random.NextDouble() : 0f).ToArray()).ToArray();
        Slimming.Write(searched, heads, neurons);

        using var pruned = Pruning.Prune(searched, mask);

        var masked = EarlyBirdModel.Logits(searched, batch);
        var difference = Tolerance.AssertClose(masked, EarlyBirdModel.Logits(pruned, batch), 1e-5, "pruned logits");
        Assert.False(Slimming.IsEnabled(pruned));
        output.WriteLine($"max |logit diff| pruned vs masked: {difference:E2}");
    }

    [Fact]
    public void Pruned_matrices_are_smaller_and_the_config_names_removed_heads_by_their_original_index()
    {
        using var model = EarlyBirdModel.Load();
        using var pruned = Pruning.Prune(model, Mask());
        var state = pruned.state_dict();

        Assert.Equal([32L, 64], state["bert.encoder.layer.0.attention.self.query.weight"].shape);
        Assert.Equal([48L], state["bert.encoder.layer.1.attention.self.value.bias"].shape);
        Assert.Equal([64L, 32], state["bert.encoder.layer.0.attention.output.dense.weight"].shape);
        Assert.Equal([88L, 64], state["bert.encoder.layer.0.intermediate.dense.weight"].shape);
        Assert.Equal([64L, 65], state["bert.encoder.layer.1.output.dense.weight"].shape);
        Assert.Equal([1, 3], pruned.Config.PrunedHeads[0]);
        Assert.Equal([0], pruned.Config.PrunedHeads[1]);
        Assert.Equal([88, 65], pruned.Config.IntermediateSizes);
        var parameters = (Dense: Count(model), Pruned: Count(pruned));
        Assert.Equal(parameters.Dense - 2 * (3 * (64 * 16 + 16) + 64 * 16) - 1 * (3 * (64 * 16 + 16) + 64 * 16) - 103 * (64 + 1 + 64), parameters.Pruned);
        output.WriteLine($"parameters: dense {parameters.Dense}, pruned {parameters.Pruned}");
    }

    [Fact]
    public void Pruning_a_pruned_model_numbers_newly_removed_heads_as_in_the_original_model()
    {
        using var model = EarlyBirdModel.Load();
        using var once = Pruning.Prune(model, Mask());
        // Layer 0 now computes original heads 0 and 2; dropping its first removes original head 0.
        var second = new TicketMask([[false, true], [true, true, true]], once.Config.IntermediateSizes!.Select(n => Enumerable.Repeat(true, n).ToArray()).ToArray());
        using var twice = Pruning.Prune(once, second);

        Assert.Equal([0, 1, 3], twice.Config.PrunedHeads[0]);
        Assert.Equal([2], twice.Config.KeptHeads(0));
        Assert.Throws<ArgumentException>(() => Pruning.Prune(model, second));
    }

    [Fact]
    public void Dense_padding_of_a_pruned_model_keeps_its_logits_at_full_shape()
    {
        using var batch = EarlyBirdModel.Batch();
        using var model = EarlyBirdModel.Load();
        using var pruned = Pruning.Prune(model, Mask());
        using var dense = Pruning.ToDense(pruned);

        Assert.False(dense.Config.IsPruned);
        Assert.Equal(model.state_dict().ToDictionary(p => p.Key, p => p.Value.shape), dense.state_dict().ToDictionary(p => p.Key, p => p.Value.shape));
        var state = dense.state_dict();
        // Head 1 of layer 0 was removed: its query rows are zero, head 0's are the original ones.
        Assert.Equal(0f, state["bert.encoder.layer.0.attention.self.query.weight"][16..32].abs().sum().item<float>());
        Assert.True(state["bert.encoder.layer.0.attention.self.query.weight"][..16].equal(model.state_dict()["bert.encoder.layer.0.attention.self.query.weight"][..16]).all().item<bool>());
        Tolerance.AssertClose(EarlyBirdModel.Logits(pruned, batch), EarlyBirdModel.Logits(dense, batch), 1e-5, "dense export logits");
    }

    private static long Count(BertForSequenceClassification model) => model.parameters().Sum(p => p.numel());
}
