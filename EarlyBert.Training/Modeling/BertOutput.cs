using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>The narrowing feed-forward projection, dropout, residual and LayerNorm (HF <c>BertOutput</c>).</summary>
public sealed class BertOutput : Module<Tensor, Tensor, Tensor>
{
    private readonly BertLinear dense;
    private readonly LayerNorm LayerNorm;
    private readonly BertDropout dropout;

    /// <summary>Creates layer <paramref name="layer"/>'s projection for <paramref name="config"/>.</summary>
    public BertOutput(BertConfig config, int layer = 0) : base(nameof(BertOutput))
    {
        dense = new BertLinear(config.IntermediateSizeOf(layer), config.HiddenSize, config.InitializerRange);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = new BertDropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor intermediate, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(dropout.call(dense.call(intermediate)) + residual).MoveToOuterDisposeScope();
    }
}
