using System.Globalization;

namespace EarlyBert.Training.ModelCards;

/// <summary>What a model card says about a model that is an EarlyBERT ticket.</summary>
public sealed record TicketCard
{
    /// <summary>Fraction of each layer's attention heads pruned (<c>earlybert.prune.heads</c>).</summary>
    public required double HeadRatio { get; init; }
    /// <summary>Fraction of all FFN neurons pruned, ranked across layers (<c>earlybert.prune.ffn</c>).</summary>
    public required double FfnRatio { get; init; }
    /// <summary>Heads kept, over all layers.</summary>
    public required int KeptHeads { get; init; }
    /// <summary>Heads of the unpruned model.</summary>
    public required int TotalHeads { get; init; }
    /// <summary>FFN neurons kept, over all layers.</summary>
    public required int KeptNeurons { get; init; }
    /// <summary>FFN neurons of the unpruned model.</summary>
    public required int TotalNeurons { get; init; }
    /// <summary>Training step at which the ticket was drawn.</summary>
    public required long DrawStep { get; init; }
    /// <summary><c>converged</c> (the Early-Bird rule) or <c>cap</c> (the search's step limit).</summary>
    public required string DrawReason { get; init; }
    /// <summary>Weights the pruned network started from: <c>pretrained</c> or <c>none</c> (those at the draw).</summary>
    public required string Rewind { get; init; }
    /// <summary>Steps the pruned network was trained.</summary>
    public required long EfficientSteps { get; init; }
    /// <summary>Factor on the optimizer's learning rates in that phase.</summary>
    public required double LearningRateScale { get; init; }
    /// <summary>Parameters before pruning (coefficients not counted).</summary>
    public required long ParametersBefore { get; init; }
    /// <summary>Parameters after pruning.</summary>
    public required long ParametersAfter { get; init; }

    /// <summary>The card's paragraph.</summary>
    public string ToMarkdown()
    {
        var drawn = DrawReason == "converged"
            ? "when its mask stopped changing (the Early-Bird rule)"
            : "at the search's step limit, before its mask had settled";
        var start = Rewind == "pretrained" ? "from the pre-trained weights" : "from the weights at the draw";
        return string.Create(CultureInfo.InvariantCulture, $"""
            It is an EarlyBERT ticket (Chen et al., "EarlyBERT: Efficient BERT Training via Early-bird Lottery Tickets", ACL 2021):
            slimming coefficients trained under an L1 penalty ranked the attention heads and feed-forward neurons, the ticket was
            drawn at step {DrawStep} {drawn}, {HeadRatio:0.###} of each layer's heads ({KeptHeads} of {TotalHeads} kept) and
            {FfnRatio:0.###} of the feed-forward neurons across layers ({KeptNeurons} of {TotalNeurons} kept) were removed, and the
            smaller network was trained {start} for {EfficientSteps} steps with the optimizer's learning rates times
            {LearningRateScale:0.###}: {ParametersAfter:N0} parameters instead of {ParametersBefore:N0}. config.json lists
            the removed heads as `pruned_heads` and the per-layer feed-forward widths as `earlybert_intermediate_sizes`.

            """);
    }
}
