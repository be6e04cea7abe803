using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>Projection of the attention output, dropout, residual and LayerNorm (HF <c>BertSelfOutput</c>).</summary>
public sealed class BertSelfOutput : Module<Tensor, Tensor, Tensor>
{
    private readonly BertLinear dense;
    private readonly LayerNorm LayerNorm;
    private readonly BertDropout dropout;

    /// <summary>Creates the layer <paramref name="layer"/> for <paramref name="config"/> (its input: the heads it keeps).</summary>
    public BertSelfOutput(BertConfig config, int layer = 0) : base(nameof(BertSelfOutput))
    {
        dense = new BertLinear(config.KeptHeads(layer).Count * config.HeadSize, config.HiddenSize, config.InitializerRange);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = new BertDropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>Adds the projected <paramref name="hidden"/> to <paramref name="residual"/> and normalises.</summary>
    public override Tensor forward(Tensor hidden, Tensor residual)
    {
        using var scope = NewDisposeScope();
        // In mixed precision the projection is bf16; adding the fp32 residual promotes back to fp32 for LayerNorm.
        return LayerNorm.call(dropout.call(dense.call(hidden)) + residual).MoveToOuterDisposeScope();
    }
}
