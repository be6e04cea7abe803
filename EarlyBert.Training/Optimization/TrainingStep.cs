using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.Optimization;

/// <summary>A batch on the model's device: ids, mask, token types ([batch, seq]) and labels ([batch]).</summary>
public sealed record TrainingBatch(Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds, Tensor Labels) : IDisposable
{
    /// <summary>Number of sequences.</summary>
    public long Size => InputIds.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
        Labels.Dispose();
    }
}

/// <summary>One optimisation step: forward, loss, backward, optional clipping, update.</summary>
public static class TrainingStep
{
    /// <summary>
    /// Runs one step on <paramref name="batch"/> and returns the loss computed before the update. Every temporary
    /// lives in a dispose scope that ends with the step, so memory stays flat over a run.
    /// </summary>
    public static float Run(BertForSequenceClassification model, IBertOptimizer optimizer, TrainingBatch batch, double? clipNorm = null) =>
        Run(model, optimizer, batch, clipNorm, measureNorm: false).Loss;

    /// <summary>
    /// Runs one step and also returns the global gradient norm before clipping when <paramref name="measureNorm"/> is
    /// set or clipping is on (NaN otherwise: measuring costs a pass over every gradient).
    /// </summary>
    public static (float Loss, double GradientNorm) Run(BertForSequenceClassification model, IBertOptimizer optimizer, TrainingBatch batch, double? clipNorm, bool measureNorm)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        var logits = model.call(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        var loss = model.Loss(logits, batch.Labels);
        loss.backward();
        var norm = double.NaN;
        if (clipNorm is { } maxNorm)
            norm = optimizer.ClipGradientNorm(maxNorm);
        else if (measureNorm)
            norm = optimizer.GradientNorm();
        optimizer.Step();
        return (loss.item<float>(), norm);
    }
}
