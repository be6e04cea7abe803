using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.EarlyBird;

/// <summary>
/// EarlyBERT's slimming coefficients: one trainable scale per attention head and per feed-forward neuron,
/// initialised to 1, pushed towards zero by an L1 penalty so their magnitudes rank the structures.
/// </summary>
public static class Slimming
{
    /// <summary>
    /// Adds the coefficients to every layer of <paramref name="model"/> (on its device, in its dtype). Create the
    /// optimizer afterwards so it updates them. A model without this call has no coefficients and computes exactly
    /// what it did before.
    /// </summary>
    public static void Enable(BertForSequenceClassification model)
    {
        foreach (var layer in model.Bert.Encoder.Layers)
        {
            layer.Attention.Self.EnableSlimming();
            layer.Intermediate.EnableSlimming();
        }
    }

    /// <summary>True when <paramref name="model"/> carries slimming coefficients.</summary>
    public static bool IsEnabled(BertForSequenceClassification model) =>
        model.Bert.Encoder.Layers.All(l => l.Attention.Self.Slimming is not null && l.Intermediate.Slimming is not null);

    /// <summary>
    /// The penalty λ_heads·Σ|c_heads| + λ_ffn·Σ|c_ffn| over every layer, a scalar on the model's device that carries
    /// gradients to the coefficients.
    /// </summary>
    public static Tensor L1(BertForSequenceClassification model, double headWeight, double neuronWeight)
    {
        using var scope = NewDisposeScope();
        var layers = Require(model);
        var heads = stack(layers.Select(l => l.Attention.Self.Slimming!.abs().sum()).ToArray()).sum();
        var neurons = stack(layers.Select(l => l.Intermediate.Slimming!.abs().sum()).ToArray()).sum();
        return (heads * headWeight + neurons * neuronWeight).MoveToOuterDisposeScope();
    }

    /// <summary>The coefficients' current values, per layer: heads [layer][head], neurons [layer][neuron].</summary>
    public static (float[][] Heads, float[][] Neurons) Read(BertForSequenceClassification model)
    {
        var layers = Require(model);
        return (
            layers.Select(l => l.Attention.Self.Slimming!.detach().cpu().to(ScalarType.Float32).data<float>().ToArray()).ToArray(),
            layers.Select(l => l.Intermediate.Slimming!.detach().cpu().to(ScalarType.Float32).data<float>().ToArray()).ToArray());
    }

    /// <summary>Overwrites the coefficients (sizes as <see cref="Read"/> returns them).</summary>
    public static void Write(BertForSequenceClassification model, float[][] heads, float[][] neurons)
    {
        var layers = Require(model);
        if (heads.Length != layers.Count || neurons.Length != layers.Count)
            throw new ArgumentException($"Coefficients for {heads.Length}/{neurons.Length} layers given; the model has {layers.Count}.");
        using var noGrad = no_grad();
        for (var i = 0; i < layers.Count; i++)
        {
            Copy(layers[i].Attention.Self.Slimming!, heads[i]);
            Copy(layers[i].Intermediate.Slimming!, neurons[i]);
        }
    }

    private static void Copy(TorchSharp.Modules.Parameter target, float[] values)
    {
        if (values.Length != target.shape[0])
            throw new ArgumentException($"{values.Length} coefficients given for {target.shape[0]} structures.");
        using var source = tensor(values);
        target.copy_(source);
    }

    private static IReadOnlyList<BertLayer> Require(BertForSequenceClassification model) =>
        IsEnabled(model) ? model.Bert.Encoder.Layers : throw new InvalidOperationException("The model has no slimming coefficients: call Slimming.Enable first.");
}
