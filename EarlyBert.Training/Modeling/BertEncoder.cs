using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>The stack of transformer layers (HF <c>BertEncoder</c>, state-dict key <c>layer.N</c>).</summary>
public sealed class BertEncoder : Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    /// <summary>Creates <see cref="BertConfig.NumHiddenLayers"/> layers.</summary>
    public BertEncoder(BertConfig config) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new BertLayer(config, i)).ToArray());
        RegisterComponents();
    }

    /// <summary>The layers, in the order they run.</summary>
    public IReadOnlyList<BertLayer> Layers => [.. layer];

    /// <inheritdoc />
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        foreach (var block in layer)
            hidden = block.call(hidden, keyMask);
        return hidden.MoveToOuterDisposeScope();
    }
}
