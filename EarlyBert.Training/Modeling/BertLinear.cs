using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// A dense layer (<c>weight</c> [out, in], <c>bias</c> [out], as in <c>torch.nn.Linear</c>) that can run its
/// matrix product in a lower precision than its weights. TorchSharp has no autocast, so mixed precision is done here,
/// deliberately: with <see cref="ComputeType"/> set, input, weight and bias are cast for the product and the result
/// stays in that type; the fp32 weights remain the master copy the optimizer updates.
/// </summary>
public sealed class BertLinear : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    /// <summary>Creates a layer initialised as Hugging Face initialises BERT: normal(0, <paramref name="std"/>), zero bias.</summary>
    public BertLinear(long inFeatures, long outFeatures, double std) : base(nameof(BertLinear))
    {
        weight = new Parameter(empty(outFeatures, inFeatures));
        bias = new Parameter(zeros(outFeatures));
        using (no_grad())
            init.normal_(weight, 0, std);
        RegisterComponents();
    }

    /// <summary>The weight, [out, in].</summary>
    public Parameter Weight => weight;

    /// <summary>The bias, [out].</summary>
    public Parameter Bias => bias;

    /// <summary>Type the product runs in; <c>null</c> runs it in the weights' own type.</summary>
    public ScalarType? ComputeType { get; set; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (ComputeType is not { } type || type == weight.dtype)
            return functional.linear(input, weight, bias);
        using var scope = NewDisposeScope();
        return functional.linear(input.to(type), weight.to(type), bias.to(type)).MoveToOuterDisposeScope();
    }
}
