using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Optimization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class SlimmingTests(ITestOutputHelper output)
{
    [Fact]
    public void Dense_model_has_no_coefficients_and_enabling_adds_ones_per_head_and_per_neuron()
    {
        using var model = EarlyBirdModel.Load();
        var denseKeys = model.state_dict().Keys.ToList();
        Assert.DoesNotContain(denseKeys, k => k.Contains("slimming", StringComparison.Ordinal));
        Assert.False(Slimming.IsEnabled(model));

        Slimming.Enable(model);

        var added = model.named_parameters().Select(p => p.name).Except(denseKeys).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["bert.encoder.layer.0.attention.self.slimming", "bert.encoder.layer.0.intermediate.slimming",
             "bert.encoder.layer.1.attention.self.slimming", "bert.encoder.layer.1.intermediate.slimming"], added);
        var (heads, neurons) = Slimming.Read(model);
        Assert.All(heads, l => Assert.Equal(Enumerable.Repeat(1f, 4), l));
        Assert.All(neurons, l => Assert.Equal(Enumerable.Repeat(1f, 128), l));
        Assert.All(model.named_parameters().Where(p => p.name.EndsWith("slimming", StringComparison.Ordinal)), p => Assert.True(p.parameter.requires_grad));
    }

    [Fact]
    public void Coefficients_at_one_and_zero_L1_weight_give_exactly_the_dense_logits_loss_and_first_update()
    {
        using var batch = EarlyBirdModel.Batch();
        using var dense = EarlyBirdModel.Load();
        using var slim = EarlyBirdModel.Load();
        Slimming.Enable(slim);

        Assert.Equal(EarlyBirdModel.Logits(dense, batch), EarlyBirdModel.Logits(slim, batch));
        var golden = Golden.Json("train_torch.json")["steps"]![0]!["loss"]!.GetValue<double>();

        dense.train();
        slim.train();
        using var denseOptimizer = new TorchAdamW(dense.named_parameters(), new ConstantLearningRate(1e-3));
        using var slimOptimizer = new TorchAdamW(slim.named_parameters(), new ConstantLearningRate(1e-3));
        var denseLoss = TrainingStep.Run(dense, denseOptimizer, batch);
        var step = SlimmingStep.Run(slim, slimOptimizer, batch, headWeight: 0, neuronWeight: 0);

        Assert.Equal(denseLoss, step.Loss);
        Assert.Equal(0f, step.L1);
        Tolerance.AssertClose([golden], [step.Loss], 1e-5, "first-step loss against transformers");
        // The shared weights received the same gradients, so Adam moved them identically.
        var slimState = slim.state_dict();
        foreach (var (name, value) in dense.state_dict())
            Assert.True(value.equal(slimState[name]).all().item<bool>(), $"{name} was updated differently with coefficients at 1");
        output.WriteLine($"loss {step.Loss:R} (transformers {golden:R})");
    }

    [Fact]
    public void L1_penalty_is_the_weighted_sum_of_absolute_coefficients_and_pulls_them_towards_zero()
    {
        using var model = EarlyBirdModel.Load();
        Slimming.Enable(model);
        float[][] heads = [[0.5f, -1f, 2f, 0f], [1f, 1f, -0.25f, 0.25f]];
        var neurons = new[] { Enumerable.Repeat(-0.5f, 128).ToArray(), Enumerable.Repeat(2f, 128).ToArray() };
        Slimming.Write(model, heads, neurons);

        using var penalty = Slimming.L1(model, headWeight: 1e-2, neuronWeight: 1e-3);
        Assert.Equal(1e-2 * 6.0 + 1e-3 * (64 + 256), penalty.item<float>(), 6);

        penalty.backward();
        var headGrad = model.named_parameters().Single(p => p.name == "bert.encoder.layer.0.attention.self.slimming").parameter.grad!;
        Assert.Equal([1e-2f, -1e-2f, 1e-2f, 0f], headGrad.data<float>().ToArray());
        Assert.Equal(Slimming.Read(model).Heads, heads);
    }
}
