using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>Self-attention followed by its output block (HF <c>BertAttention</c>: <c>self</c> and <c>output</c>).</summary>
public sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention @self;
    private readonly BertSelfOutput output;

    /// <summary>Creates the block for <paramref name="config"/>.</summary>
    public BertAttention(BertConfig config) : base(nameof(BertAttention))
    {
        @self = new BertSelfAttention(config);
        output = new BertSelfOutput(config);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        return output.call(@self.call(hidden, keyMask), hidden).MoveToOuterDisposeScope();
    }
}
