using EarlyBert.Training.Optimization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class OptimizerTests
{
    [Fact]
    public void WarmUp_ramps_linearly_then_hands_over_to_the_decay_counted_from_zero()
    {
        var schedule = new WarmUp(1e-3, new PolynomialDecay(1e-3, decaySteps: 10, endLearningRate: 0), warmupSteps: 4);
        Assert.Equal(0.0, schedule.LearningRate(0));
        Assert.Equal(0.5e-3, schedule.LearningRate(2), 15);
        Assert.Equal(1e-3, schedule.LearningRate(4), 15);
        Assert.Equal(0.5e-3, schedule.LearningRate(9), 15);
        Assert.Equal(0.0, schedule.LearningRate(14), 15);
        Assert.Equal(0.0, schedule.LearningRate(100), 15);
    }

    [Fact]
    public void Linear_schedule_with_warmup_matches_transformers()
    {
        var schedule = new LinearScheduleWithWarmup(1e-3, warmupSteps: 2, totalSteps: 10);
        Assert.Equal([0.0, 0.5e-3, 1e-3, 0.875e-3, 0.0], new long[] { 0, 1, 2, 3, 10 }.Select(s => Math.Round(schedule.LearningRate(s), 15)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void PolynomialDecay_rejects_decay_steps_that_are_not_positive(long decaySteps)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PolynomialDecay(2e-5, decaySteps, 0));
        Assert.Contains("decay_steps", error.Message);
    }

    [Fact]
    public void A_model_card_line_with_negative_decay_steps_is_rejected()
    {
        const string card = "{'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': -60, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}";
        Assert.Throws<ArgumentOutOfRangeException>(() => KerasOptimizerConfig.Parse(card));
    }

    [Fact]
    public void A_model_card_line_round_trips_through_get_config_keys()
    {
        const string card = "{'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': 60, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}";
        var config = KerasOptimizerConfig.Parse(card);
        var keras = config.ToKeras();
        Assert.Equal(["name", "learning_rate", "decay", "beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay_rate"], keras.Select(p => p.Key));
        Assert.Equal(0.01, config.WeightDecayRate);
        Assert.Equal(1e-8, config.Epsilon);
        Assert.Equal(2e-5, config.LearningRate.LearningRate(0), 15);
        Assert.Equal(1e-5, config.LearningRate.LearningRate(30), 15);
        Assert.Equal(KerasOptimizerConfig.Parse(config.ToJson()).ToJson(), config.ToJson());
    }

    [Fact]
    public void Exclusion_patterns_are_regular_expressions_searched_in_the_name()
    {
        var filter = new WeightDecayFilter(0.01, WeightDecayFilter.DefaultExclusions);
        Assert.False(filter.Decays("bert.encoder.layer.0.attention.output.LayerNorm.weight"));
        Assert.False(filter.Decays("classifier.bias"));
        Assert.True(filter.Decays("bert.encoder.layer.0.attention.self.query.weight"));
        Assert.True(filter.Decays("bert.embeddings.word_embeddings.weight"));

        var anchored = new WeightDecayFilter(0.01, [@"^bert\.embeddings\."], includeInWeightDecay: [@"position_embeddings"]);
        Assert.False(anchored.Decays("bert.embeddings.word_embeddings.weight"));
        Assert.True(anchored.Decays("bert.embeddings.position_embeddings.weight"));
        Assert.False(new WeightDecayFilter(0.0, []).Decays("classifier.weight"));
    }

    [Fact]
    public void Excluded_parameters_are_not_decayed_by_the_update()
    {
        TestTorch.Setup();
        using var weight = new Parameter(ones(4));
        using var bias = new Parameter(ones(4));
        using var optimizer = new AdamWeightDecay([("dense.weight", weight), ("dense.bias", bias)],
            new ConstantLearningRate(0.1), weightDecayRate: 0.5, excludeFromWeightDecay: ["bias"]);
        Assert.Equal(["dense.weight"], optimizer.DecayedParameters);
        optimizer.ZeroGrad();
        optimizer.Step(); // zero gradients: only decay moves anything
        Assert.Equal(0.95f, weight[0].item<float>(), 6);
        Assert.Equal(1.0f, bias[0].item<float>(), 6);
    }

    [Fact]
    public void Clipping_by_global_norm_scales_every_gradient_together()
    {
        TestTorch.Setup();
        using var a = new Parameter(zeros(2));
        using var b = new Parameter(zeros(1));
        using var optimizer = new TorchAdamW([("a", a), ("b", b)], new ConstantLearningRate(0.1));
        using (var loss = (a * tensor(new float[] { 3, 0 })).sum() + (b * 4).sum())
            loss.backward();
        Assert.Equal(5.0, optimizer.ClipGradientNorm(1.0), 5);
        Assert.Equal(1.0, optimizer.GradientNorm(), 4);
        Assert.Equal(0.6f, a.grad![0].item<float>(), 4);
    }
}
