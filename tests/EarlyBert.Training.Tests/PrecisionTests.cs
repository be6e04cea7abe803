using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Precision;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class PrecisionTests
{
    [Fact]
    public void Bf16_mixed_precision_keeps_fp32_master_weights_and_stays_close_to_fp32()
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
        var reference = model.call(ids, mask, types);

        var report = PrecisionPolicy.Apply(model, PrecisionMode.BFloat16Mixed, CPU, NullLogger.Instance);
        var mixed = model.call(ids, mask, types);

        Assert.StartsWith("bf16 mixed", report);
        Assert.Equal(ScalarType.BFloat16, mixed.dtype);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.True((mixed.to(ScalarType.Float32) - reference).abs().max().item<float>() < 0.02f);
        Assert.False(mixed.to(ScalarType.Float32).equal(reference).all().item<bool>(), "bf16 should actually change the numbers");

        Assert.Equal("float32", PrecisionPolicy.Apply(model, PrecisionMode.Float32, CPU, NullLogger.Instance));
        Assert.Equal(ScalarType.Float32, model.call(ids, mask, types).dtype);
    }
}
