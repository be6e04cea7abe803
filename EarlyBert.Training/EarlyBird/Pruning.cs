using System.Text.RegularExpressions;
using TorchSharp;
using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.EarlyBird;

/// <summary>
/// Physical pruning: builds the smaller network a <see cref="TicketMask"/> describes (fewer query/key/value rows and
/// output-projection columns per layer, narrower feed-forward blocks), and the way back to full shapes with zeros.
/// </summary>
public static partial class Pruning
{
    /// <summary>
    /// Returns a new model without the heads and neurons <paramref name="mask"/> prunes; <paramref name="model"/> is
    /// left as it was. Removed heads join the config's <see cref="BertConfig.PrunedHeads"/> (numbered as in the
    /// unpruned model) and the kept neurons give <see cref="BertConfig.IntermediateSizes"/>. When the model carries
    /// slimming coefficients, the kept ones are folded into the output projections (a head's columns of
    /// <c>attention.output.dense</c>, a neuron's column of <c>output.dense</c>), so the pruned network computes exactly
    /// what the searched one did with the pruned structures' coefficients at zero; the result has no coefficients.
    /// </summary>
    public static BertForSequenceClassification Prune(BertForSequenceClassification model, TicketMask mask)
    {
        var config = model.Config;
        var layers = model.Bert.Encoder.Layers;
        if (mask.Heads.Length != layers.Count || mask.Neurons.Length != layers.Count
            || layers.Select((l, i) => l.Attention.Self.Heads != mask.Heads[i].Length || l.Intermediate.Width != mask.Neurons[i].Length).Any(x => x))
            throw new ArgumentException("The mask does not describe this model's heads and neurons.", nameof(mask));
        if (mask.Heads.Any(l => !l.Any(k => k)))
            throw new ArgumentException("A mask must keep at least one head per layer.", nameof(mask));

        var prunedHeads = new Dictionary<int, IReadOnlyList<int>>();
        for (var l = 0; l < layers.Count; l++)
        {
            var kept = config.KeptHeads(l);
            var removed = config.PrunedHeads.TryGetValue(l, out var before) ? before : [];
            var all = removed.Concat(kept.Where((_, i) => !mask.Heads[l][i])).Order().ToList();
            if (all.Count > 0) prunedHeads[l] = all;
        }
        var smaller = config with
        {
            PrunedHeads = prunedHeads,
            IntermediateSizes = mask.Neurons.Select(l => l.Count(k => k)).ToList(),
        };
        smaller.Validate();

        var headRows = mask.Heads.Select(l => Rows(l.Select((k, i) => (k, i)).Where(p => p.k).Select(p => p.i), config.HeadSize)).ToArray();
        var neurons = mask.Neurons.Select(l => l.Select((k, i) => (k, i)).Where(p => p.k).Select(p => (long)p.i).ToArray()).ToArray();
        var slimming = Slimming.IsEnabled(model) ? Slimming.Read(model) : default;

        var result = new BertForSequenceClassification(smaller);
        try
        {
            var device = model.Classifier.Weight.device;
            if (device.type != DeviceType.CPU) result.to(device);
            var source = model.state_dict();
            using var noGrad = no_grad();
            foreach (var (name, target) in result.state_dict())
            {
                using var scope = NewDisposeScope();
                var value = source[name];
                if (Locate(name) is { } place)
                {
                    var (indices, scale) = place.Kind == Structure.Head
                        ? (headRows[place.Layer], slimming.Heads is null ? null : Expand(slimming.Heads[place.Layer], mask.Heads[place.Layer], config.HeadSize))
                        : (neurons[place.Layer], slimming.Neurons is null ? null : Expand(slimming.Neurons[place.Layer], mask.Neurons[place.Layer], 1));
                    value = value.index_select(place.Dimension, tensor(indices, device: value.device));
                    // Only the output projection takes the coefficient: it is the one layer after the scaled activation.
                    if (scale is not null && place.Dimension == 1)
                        value = value * tensor(scale, device: value.device).to(value.dtype);
                }
                target.copy_(value);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Returns the full-shape equivalent of a pruned <paramref name="model"/>: removed heads come back in their original
    /// places and the feed-forward blocks back to <see cref="BertConfig.IntermediateSize"/>, all with zero weights and
    /// biases, so they add nothing and the logits are unchanged. Any BERT loader reads the result.
    /// </summary>
    public static BertForSequenceClassification ToDense(BertForSequenceClassification model)
    {
        var config = model.Config;
        if (Slimming.IsEnabled(model))
            throw new InvalidOperationException("A model with slimming coefficients is not a finished network: prune it first.");
        var dense = new BertForSequenceClassification(config with { PrunedHeads = new Dictionary<int, IReadOnlyList<int>>(), IntermediateSizes = null });
        try
        {
            var device = model.Classifier.Weight.device;
            if (device.type != DeviceType.CPU) dense.to(device);
            var source = model.state_dict();
            using var noGrad = no_grad();
            foreach (var (name, target) in dense.state_dict())
            {
                using var scope = NewDisposeScope();
                var value = source[name];
                if (Locate(name) is { } place && !value.shape.SequenceEqual(target.shape))
                {
                    var positions = place.Kind == Structure.Head
                        ? Rows(config.KeptHeads(place.Layer), config.HeadSize)
                        : Enumerable.Range(0, config.IntermediateSizeOf(place.Layer)).Select(i => (long)i).ToArray();
                    target.zero_();
                    target.index_copy_(place.Dimension, tensor(positions, device: target.device), value);
                }
                else
                {
                    target.copy_(value);
                }
            }
            return dense;
        }
        catch
        {
            dense.Dispose();
            throw;
        }
    }

    private enum Structure { Head, Neuron }

    private sealed record Place(int Layer, Structure Kind, long Dimension);

    /// <summary>Where a state-dict entry is cut when heads or neurons go: the layer, which structure, which axis.</summary>
    private static Place? Locate(string name)
    {
        var match = LayerParameter().Match(name);
        if (!match.Success) return null;
        var layer = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "attention.self.query.weight" or "attention.self.query.bias" or "attention.self.key.weight" or "attention.self.key.bias"
                or "attention.self.value.weight" or "attention.self.value.bias" => new Place(layer, Structure.Head, 0),
            "attention.output.dense.weight" => new Place(layer, Structure.Head, 1),
            "intermediate.dense.weight" or "intermediate.dense.bias" => new Place(layer, Structure.Neuron, 0),
            "output.dense.weight" => new Place(layer, Structure.Neuron, 1),
            _ => null,
        };
    }

    /// <summary>The weight rows of <paramref name="heads"/>: each head owns <paramref name="headSize"/> consecutive rows.</summary>
    private static long[] Rows(IEnumerable<int> heads, int headSize) =>
        heads.SelectMany(h => Enumerable.Range(h * headSize, headSize).Select(r => (long)r)).ToArray();

    /// <summary>The kept structures' coefficients, each repeated <paramref name="width"/> times (once per row it owns).</summary>
    private static float[] Expand(float[] coefficients, bool[] kept, int width) =>
        coefficients.Where((_, i) => kept[i]).SelectMany(c => Enumerable.Repeat(c, width)).ToArray();

    [GeneratedRegex(@"encoder\.layer\.(\d+)\.(.+)$")]
    private static partial Regex LayerParameter();
}
