using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>One transformer layer: attention, then the feed-forward block (HF <c>BertLayer</c>).</summary>
public sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertOutput output;

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public BertLayer(BertConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertOutput(config);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var attended = attention.call(hidden, keyMask);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
