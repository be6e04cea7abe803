using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class GoldenForwardTests(ITestOutputHelper output)
{
    [Fact]
    public void Logits_loss_and_pooler_match_transformers_within_1e_5()
    {
        TestTorch.Setup();
        var golden = Golden.Json("forward.json");
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = Golden.LongTensor(Golden.IntMatrix(golden["input_ids"]!));
        var mask = Golden.LongTensor(Golden.IntMatrix(golden["attention_mask"]!));
        var types = Golden.LongTensor(Golden.IntMatrix(golden["token_type_ids"]!));
        var labels = tensor(Golden.Doubles(golden["labels"]!).Select(v => (long)v).ToArray());

        var logits = model.call(ids, mask, types);
        var loss = model.Loss(logits, labels);
        var pooled = model.Bert.call(ids, mask, types).PooledOutput;

        var expectedLogits = golden["logits"]!.AsArray().SelectMany(r => Golden.Doubles(r!)).ToArray();
        var logitDiff = Tolerance.AssertClose(expectedLogits, logits.data<float>().Select(v => (double)v).ToArray(), 1e-5, "logits");
        var lossDiff = Tolerance.AssertClose([golden["loss"]!.GetValue<double>()], [loss.item<float>()], 1e-5, "loss");
        var pooledDiff = Tolerance.AssertClose(Golden.Doubles(golden["pooled_first_row"]!), pooled[0, ..8].data<float>().Select(v => (double)v).ToArray(), 1e-5, "pooler");
        output.WriteLine($"max |diff|: logits {logitDiff:E2}, loss {lossDiff:E2}, pooler {pooledDiff:E2}");
    }
}
