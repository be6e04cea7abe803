using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>One transformer layer: attention, then the feed-forward block (HF <c>BertLayer</c>).</summary>
public sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    /// <summary>Creates layer number <paramref name="layer"/> for <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config, int layer = 0) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config, layer);
        intermediate = new BertIntermediate(config, layer);
        output = new BertOutput(config, layer);
        RegisterComponents();
    }

    /// <summary>The attention block.</summary>
    public BertAttention Attention => attention;

    /// <summary>The widening feed-forward projection (its neurons and their slimming coefficients).</summary>
    public BertIntermediate Intermediate => intermediate;

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hidden, keyMask);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
