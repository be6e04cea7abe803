using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>Dense + tanh over the first token's hidden state (HF <c>BertPooler</c>).</summary>
public sealed class BertPooler : Module<Tensor, Tensor>
{
    private readonly BertLinear dense;

    /// <summary>Creates the pooler for <paramref name="config"/>.</summary>
    public BertPooler(BertConfig config) : base(nameof(BertPooler))
    {
        dense = new BertLinear(config.HiddenSize, config.HiddenSize, config.InitializerRange);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor sequence)
    {
        using var scope = NewDisposeScope();
        return tanh(dense.call(sequence[.., 0])).MoveToOuterDisposeScope();
    }
}
