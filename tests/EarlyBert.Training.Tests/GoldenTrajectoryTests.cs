using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class GoldenTrajectoryTests(ITestOutputHelper output)
{
    [Fact]
    public void Keras_AdamWeightDecay_six_steps_match_transformers_within_1e_5()
    {
        var golden = Golden.Json("train_keras.json");
        Replay(golden, parameters => new AdamWeightDecay(parameters,
            new PolynomialDecay(1e-3, decaySteps: 10, endLearningRate: 0.0, power: 1.0),
            beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecayRate: 0.01,
            excludeFromWeightDecay: ["LayerNorm", "layer_norm", "bias"]));
    }

    [Fact]
    public void Torch_AdamW_six_steps_match_transformers_within_1e_5()
    {
        var golden = Golden.Json("train_torch.json");
        Replay(golden, parameters => new TorchAdamW(parameters,
            new LinearScheduleWithWarmup(1e-3, warmupSteps: 0, totalSteps: 10),
            beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01));
    }

    private void Replay(System.Text.Json.Nodes.JsonObject golden, Func<IEnumerable<(string, TorchSharp.Modules.Parameter)>, IBertOptimizer> create)
    {
        TestTorch.Setup();
        var forward = Golden.Json("forward.json");
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        model.train();
        using var batch = new TrainingBatch(
            Golden.LongTensor(Golden.IntMatrix(forward["input_ids"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["attention_mask"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["token_type_ids"]!)),
            tensor(Golden.Doubles(forward["labels"]!).Select(v => (long)v).ToArray()));
        using var optimizer = create(model.named_parameters());

        var steps = golden["steps"]!.AsArray();
        var losses = new List<double>();
        var rates = new List<double>();
        foreach (var _ in steps)
        {
            rates.Add(optimizer.CurrentLearningRate);
            losses.Add(TrainingStep.Run(model, optimizer, batch));
        }
        var lossDiff = Tolerance.AssertClose(steps.Select(s => s!["loss"]!.GetValue<double>()).ToList(), losses, 1e-5, "loss");
        Tolerance.AssertClose(steps.Select(s => s!["lr"]!.GetValue<double>()).ToList(), rates, 1e-12, "lr");

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var finalLoss = model.Loss(model.call(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds), batch.Labels).item<float>();
        var finalDiff = Tolerance.AssertClose([golden["final_loss"]!.GetValue<double>()], [finalLoss], 1e-5, "final loss");
        var weights = model.state_dict()["classifier.weight"][0, ..8].data<float>().Select(v => (double)v).ToList();
        var weightDiff = Tolerance.AssertClose(Golden.Doubles(golden["final_classifier_weight_row0"]!), weights, 1e-5, "classifier.weight[0]");
        output.WriteLine($"max |diff|: step losses {lossDiff:E2}, final loss {finalDiff:E2}, classifier {weightDiff:E2}");
    }
}
