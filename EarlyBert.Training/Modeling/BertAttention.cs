using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>Self-attention followed by its output block (HF <c>BertAttention</c>: <c>self</c> and <c>output</c>).</summary>
public sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention @self;
    private readonly BertSelfOutput output;

    /// <summary>Creates the block of layer <paramref name="layer"/> for <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config, int layer = 0) : base(nameof(BertAttention))
    {
        @self = new BertSelfAttention(config, layer);
        output = new BertSelfOutput(config, layer);
        RegisterComponents();
    }

    /// <summary>The self-attention (heads and their slimming coefficients).</summary>
    public BertSelfAttention Self => @self;

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        return output.call(@self.call(hidden, keyMask), hidden).MoveToOuterDisposeScope();
    }
}
