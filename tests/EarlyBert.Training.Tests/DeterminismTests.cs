using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using EarlyBert.Training.Runtime;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class DeterminismTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Twenty_steps_with_the_same_seed_and_threads_give_bitwise_identical_losses(int threads)
    {
        TestTorch.Setup();
        var first = Train(threads);
        var second = Train(threads);
        TestTorch.Setup();
        Assert.Equal(20, first.Count);
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
        Assert.True(first[^1] < first[0], "the loss should fall over 20 steps");
    }

    private static List<float> Train(int threads)
    {
        Reproducibility.Apply(seed: 42, threads: threads);
        var config = BertConfig.Parse(File.ReadAllText(Golden.File("config.json"))) with { HiddenDropoutProb = 0.1, AttentionProbsDropoutProb = 0.1 };
        using var model = new BertForSequenceClassification(config);
        model.train();
        using var optimizer = new AdamWeightDecay(model.named_parameters(), new PolynomialDecay(1e-3, 20, 0), epsilon: 1e-8, weightDecayRate: 0.01,
            excludeFromWeightDecay: WeightDecayFilter.DefaultExclusions);
        using var batch = new TrainingBatch(
            randint(5, config.VocabSize, [8, 32], dtype: ScalarType.Int64),
            ones([8, 32], dtype: ScalarType.Int64),
            zeros([8, 32], dtype: ScalarType.Int64),
            randint(0, 2, [8], dtype: ScalarType.Int64));
        return Enumerable.Range(0, 20).Select(_ => TrainingStep.Run(model, optimizer, batch, clipNorm: 1.0)).ToList();
    }
}
