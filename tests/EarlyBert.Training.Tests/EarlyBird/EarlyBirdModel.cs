using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests.EarlyBird;

/// <summary>The golden tiny model (2 layers × 4 heads of 16, 128 neurons per layer) and its reference batch.</summary>
internal static class EarlyBirdModel
{
    public static BertForSequenceClassification Load()
    {
        TestTorch.Setup();
        return HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
    }

    public static TrainingBatch Batch()
    {
        var forward = Golden.Json("forward.json");
        return new TrainingBatch(
            Golden.LongTensor(Golden.IntMatrix(forward["input_ids"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["attention_mask"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["token_type_ids"]!)),
            tensor(Golden.Doubles(forward["labels"]!).Select(v => (long)v).ToArray()));
    }

    /// <summary>Logits in evaluation mode, as doubles.</summary>
    public static double[] Logits(BertForSequenceClassification model, TrainingBatch batch)
    {
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return model.call(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds).data<float>().Select(v => (double)v).ToArray();
    }
}
