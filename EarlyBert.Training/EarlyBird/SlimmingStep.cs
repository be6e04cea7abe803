using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using static TorchSharp.torch;

namespace EarlyBert.Training.EarlyBird;

/// <summary>What one ticket-search step computed.</summary>
/// <param name="Loss">The task loss (without the penalty), comparable with dense training's loss.</param>
/// <param name="L1">The slimming penalty added to it for the gradient.</param>
/// <param name="GradientNorm">Global gradient norm before clipping, NaN when not measured.</param>
public readonly record struct SlimmingStepResult(float Loss, float L1, double GradientNorm);

/// <summary>
/// One optimisation step of the ticket search: as <see cref="TrainingStep"/>, with the slimming penalty
/// λ_heads·Σ|c_heads| + λ_ffn·Σ|c_ffn| added to the loss that is differentiated.
/// </summary>
public static class SlimmingStep
{
    /// <summary>Runs one step on <paramref name="batch"/>; every temporary ends with the step's dispose scope.</summary>
    public static SlimmingStepResult Run(BertForSequenceClassification model, IBertOptimizer optimizer, TrainingBatch batch,
        double headWeight, double neuronWeight, double? clipNorm = null, bool measureNorm = false)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        var logits = model.call(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds);
        var loss = model.Loss(logits, batch.Labels);
        var penalty = Slimming.L1(model, headWeight, neuronWeight);
        (loss + penalty).backward();
        var norm = double.NaN;
        if (clipNorm is { } maxNorm)
            norm = optimizer.ClipGradientNorm(maxNorm);
        else if (measureNorm)
            norm = optimizer.GradientNorm();
        optimizer.Step();
        return new SlimmingStepResult(loss.item<float>(), penalty.item<float>(), norm);
    }
}
