using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>The widening feed-forward projection and its activation (HF <c>BertIntermediate</c>).</summary>
public sealed class BertIntermediate : Module<Tensor, Tensor>
{
    private readonly BertLinear dense;
    private readonly Func<Tensor, Tensor> activation;
    // EarlyBERT's slimming coefficients, one per neuron; null (not a parameter at all) unless a ticket search runs.
    private Parameter? slimming;

    /// <summary>Creates layer <paramref name="layer"/>'s block, as wide as <see cref="BertConfig.IntermediateSizeOf"/> says.</summary>
    public BertIntermediate(BertConfig config, int layer = 0) : base(nameof(BertIntermediate))
    {
        dense = new BertLinear(config.HiddenSize, config.IntermediateSizeOf(layer), config.InitializerRange);
        activation = Activations.Resolve(config.HiddenAct);
        RegisterComponents();
    }

    /// <summary>Number of neurons.</summary>
    public long Width => dense.Weight.shape[0];

    /// <summary>The per-neuron slimming coefficients, or <c>null</c> when slimming is off.</summary>
    public Parameter? Slimming => slimming;

    /// <summary>Adds a trainable coefficient per neuron, initialised to 1, that scales the neuron's activation.</summary>
    internal void EnableSlimming()
    {
        if (slimming is not null) return;
        slimming = new Parameter(ones(Width, dtype: dense.Weight.dtype, device: dense.Weight.device));
        register_parameter(nameof(slimming), slimming);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        var activated = activation(dense.call(hidden));
        if (slimming is not null)
            activated = activated * slimming.to(activated.dtype);
        return activated.MoveToOuterDisposeScope();
    }
}
