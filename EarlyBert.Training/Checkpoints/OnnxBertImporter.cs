using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// Turns the initializers of a BERT exported to ONNX by <c>torch.onnx</c> into a <see cref="BertModel"/>. Biases,
/// embeddings and LayerNorms keep their PyTorch names; the exporter stores the weight of every Linear anonymously
/// (e.g. <c>927</c>) as the right-hand side of a MatMul, transposed (input × output). Each such weight is named by
/// following its MatMul to the Add that applies a named bias (<c>…query.bias</c> → <c>…query.weight</c>).
/// </summary>
public static class OnnxBertImporter
{
    /// <summary>The state dict (PyTorch names of a bare BertModel) recovered from <paramref name="model"/>.</summary>
    public static Dictionary<string, Tensor> StateDict(OnnxModel model)
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.Initializers)
            if (tensor.Floats is not null && name.Contains('.', StringComparison.Ordinal) && !name.EndsWith("position_ids", StringComparison.Ordinal))
                state[name] = Tensor(tensor);

        var consumers = model.Nodes.SelectMany(n => n.Inputs.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        foreach (var matmul in model.Nodes.Where(n => n.OpType == "MatMul"))
        {
            if (matmul.Inputs.Count != 2 || !model.Initializers.TryGetValue(matmul.Inputs[1], out var weight) || weight.Floats is null || weight.Dims.Length != 2)
                continue;
            var bias = consumers[matmul.Outputs[0]]
                .Where(n => n.OpType == "Add")
                .SelectMany(n => n.Inputs)
                .FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && model.Initializers.ContainsKey(i))
                ?? throw new InvalidDataException($"MatMul {matmul.Name} is followed by no Add of a named bias: cannot name its weight {weight.Name}.");
            // Stored input × output for MatMul; torch.nn.Linear keeps output × input.
            using var stored = Tensor(weight);
            state[bias[..^".bias".Length] + ".weight"] = stored.t().contiguous();
        }
        return state;
    }

    /// <summary>
    /// Reads the shape of the exported model from its initializers: sizes from the embedding and layer weights,
    /// the number of heads from the reshape constants of the first attention layer (head size × heads = hidden).
    /// </summary>
    public static BertConfig Config(OnnxModel model, IReadOnlyDictionary<string, Tensor> state)
    {
        var words = state["embeddings.word_embeddings.weight"].shape;
        var hidden = (int)words[1];
        var layers = state.Keys.Where(k => k.StartsWith("encoder.layer.", StringComparison.Ordinal))
            .Select(k => int.Parse(k.Split('.')[2], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count();
        var heads = model.Nodes.Where(n => n.OpType == "Concat")
            .Select(n => n.Inputs.Select(i => model.Initializers.GetValueOrDefault(i)?.Longs).Where(l => l is { Length: 1 }).Select(l => l![0]).ToList())
            .Where(c => c.Count == 2 && c[0] * c[1] == hidden)
            .Select(c => (int)c[0]).FirstOrDefault();
        if (heads == 0) throw new InvalidDataException("Could not read the number of attention heads from the ONNX graph.");
        var hasErf = model.Nodes.Any(n => n.OpType == "Erf");
        return new BertConfig
        {
            VocabSize = (int)words[0],
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = (int)state["encoder.layer.0.intermediate.dense.weight"].shape[0],
            // The exporter writes exact GELU as Erf; the tanh approximation would show as Tanh inside every layer.
            HiddenAct = hasErf ? "gelu" : "gelu_new",
            MaxPositionEmbeddings = (int)state["embeddings.position_embeddings.weight"].shape[0],
            TypeVocabSize = (int)state["embeddings.token_type_embeddings.weight"].shape[0],
            LayerNormEps = 1e-12,
            Architectures = ["BertModel"],
        };
    }

    private static Tensor Tensor(OnnxTensor initializer) => tensor(initializer.Floats!, initializer.Dims);
}
