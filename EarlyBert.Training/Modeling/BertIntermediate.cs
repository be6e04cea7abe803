using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>The widening feed-forward projection and its activation (HF <c>BertIntermediate</c>).</summary>
public sealed class BertIntermediate : Module<Tensor, Tensor>
{
    private readonly BertLinear dense;
    private readonly Func<Tensor, Tensor> activation;

    /// <summary>Creates the layer for <paramref name="config"/>.</summary>
    public BertIntermediate(BertConfig config) : base(nameof(BertIntermediate))
    {
        dense = new BertLinear(config.HiddenSize, config.IntermediateSize, config.InitializerRange);
        activation = Activations.Resolve(config.HiddenAct);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return activation(dense.call(hidden)).MoveToOuterDisposeScope();
    }
}
