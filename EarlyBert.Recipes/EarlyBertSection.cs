namespace EarlyBert.Recipes;

/// <summary>
/// The EarlyBERT mode's parameters (<c>earlybert</c>, used when <c>training.mode</c> is <c>"earlybert"</c>): the ticket
/// search, the pruning ratios, and how the pruned network is trained. Defaults are the authors' GLUE settings
/// (Chen et al., ACL 2021) and the Early-Bird stopping rule (You et al., 2020).
/// </summary>
public sealed record EarlyBertSection
{
    /// <summary>The ticket search.</summary>
    public EarlyBertSearchSection Search { get; init; } = new();
    /// <summary>How much the ticket prunes.</summary>
    public EarlyBertPruneSection Prune { get; init; } = new();
    /// <summary>
    /// Weights the pruned network starts from: <c>pretrained</c> (the base model's, the authors' choice) or <c>none</c>
    /// (the weights at the draw, kept coefficients folded in).
    /// </summary>
    public string Rewind { get; init; } = "pretrained";
    /// <summary>Training of the pruned network.</summary>
    public EarlyBertEfficientSection Efficient { get; init; } = new();
    /// <summary>
    /// Also save the pruned model zero-padded back to the full shape (<c>model-dense/</c>, no <c>pruned_heads</c>), the
    /// folder any BERT loader reads; <c>earlybert train --dense-export</c> sets it. Part of the config so a queued run
    /// produces it too and the run records that it was asked for.
    /// </summary>
    public bool DenseExport { get; init; }
}

/// <summary>The ticket search (<c>earlybert.search</c>).</summary>
public sealed record EarlyBertSearchSection
{
    /// <summary>Steps between masks; null = a tenth of an epoch (at least 1).</summary>
    public long? MaskEverySteps { get; init; }
    /// <summary>Masks that must agree, the newest included.</summary>
    public int Window { get; init; } = 5;
    /// <summary>Largest normalised Hamming distance counted as agreement (heads and FFN neurons each).</summary>
    public double Threshold { get; init; } = 0.1;
    /// <summary>Fraction of the dense run's steps after which the newest mask is drawn anyway.</summary>
    public double MaxFractionOfTraining { get; init; } = 0.3;
    /// <summary>λ of the L1 penalty on head coefficients.</summary>
    public double L1Heads { get; init; } = 1e-4;
    /// <summary>λ of the L1 penalty on FFN-neuron coefficients.</summary>
    public double L1Ffn { get; init; } = 1e-4;
}

/// <summary>Pruning ratios (<c>earlybert.prune</c>).</summary>
public sealed record EarlyBertPruneSection
{
    /// <summary>Fraction of each layer's heads removed.</summary>
    public double Heads { get; init; } = 1.0 / 3;
    /// <summary>Fraction of all FFN neurons removed, ranked across layers.</summary>
    public double Ffn { get; init; } = 0.4;
}

/// <summary>Training of the pruned network (<c>earlybert.efficient</c>).</summary>
public sealed record EarlyBertEfficientSection
{
    /// <summary>Factor on the optimizer's learning rates (the authors double it).</summary>
    public double LearningRateScale { get; init; } = 2.0;
    /// <summary>Steps of this phase as a fraction of the dense run's steps (the authors train two thirds as long).</summary>
    public double StepsFraction { get; init; } = 2.0 / 3;
}
