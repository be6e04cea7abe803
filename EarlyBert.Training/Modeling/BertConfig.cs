using System.Text.Json;
using System.Text.Json.Nodes;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// The subset of Hugging Face's <c>BertConfig</c> that shapes the model, read from and written to <c>config.json</c>.
/// Keys this class does not model are kept and written back unchanged, so a saved folder loses nothing.
/// </summary>
public sealed record BertConfig
{
    /// <summary>Vocabulary size (rows of the word embedding).</summary>
    public int VocabSize { get; init; } = 30522;
    /// <summary>Width of every hidden state.</summary>
    public int HiddenSize { get; init; } = 768;
    /// <summary>Number of transformer layers.</summary>
    public int NumHiddenLayers { get; init; } = 12;
    /// <summary>Attention heads per layer; must divide <see cref="HiddenSize"/>.</summary>
    public int NumAttentionHeads { get; init; } = 12;
    /// <summary>Width of the feed-forward layer.</summary>
    public int IntermediateSize { get; init; } = 3072;
    /// <summary><c>gelu</c> (erf), <c>gelu_new</c> / <c>gelu_pytorch_tanh</c> (tanh approximation) or <c>relu</c>.</summary>
    public string HiddenAct { get; init; } = "gelu";
    /// <summary>Dropout after embeddings, attention output and feed-forward output.</summary>
    public double HiddenDropoutProb { get; init; } = 0.1;
    /// <summary>Dropout on attention probabilities.</summary>
    public double AttentionProbsDropoutProb { get; init; } = 0.1;
    /// <summary>Longest sequence the position embedding covers.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;
    /// <summary>Number of token types (segments).</summary>
    public int TypeVocabSize { get; init; } = 2;
    /// <summary>Standard deviation of the normal initialisation of new weights.</summary>
    public double InitializerRange { get; init; } = 0.02;
    /// <summary>Epsilon of every LayerNorm.</summary>
    public double LayerNormEps { get; init; } = 1e-12;
    /// <summary>Id of the padding token.</summary>
    public int PadTokenId { get; init; }
    /// <summary>Dropout before the classifier; <c>null</c> means <see cref="HiddenDropoutProb"/>.</summary>
    public double? ClassifierDropout { get; init; }
    /// <summary>Label names by class index; its size is the number of labels.</summary>
    public IReadOnlyDictionary<int, string> Id2Label { get; init; } = new Dictionary<int, string> { [0] = "LABEL_0", [1] = "LABEL_1" };
    /// <summary>Parameter dtype written by Hugging Face (<c>dtype</c>, or <c>torch_dtype</c> before transformers 5).</summary>
    public string Dtype { get; init; } = "float32";
    /// <summary>Architectures named in the file, e.g. <c>BertForSequenceClassification</c>.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];
    /// <summary>
    /// Heads removed from each layer, by their index in the unpruned layer (transformers' <c>pruned_heads</c>,
    /// <c>{"layer": [heads]}</c>, which transformers 4.x applies in <c>from_pretrained</c>; transformers 5 dropped head
    /// pruning and ignores it, so for it save the dense export).
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> PrunedHeads { get; init; } = new Dictionary<int, IReadOnlyList<int>>();
    /// <summary>
    /// Width of each layer's feed-forward block after pruning (<c>earlybert_intermediate_sizes</c>); <c>null</c> when
    /// every layer has <see cref="IntermediateSize"/>. transformers has no such key, so only the dense export
    /// (zero-padded to <see cref="IntermediateSize"/>) loads there.
    /// </summary>
    public IReadOnlyList<int>? IntermediateSizes { get; init; }
    /// <summary>Everything else the file held, written back as it was.</summary>
    public JsonObject Extra { get; init; } = [];

    /// <summary>Number of output classes (size of <see cref="Id2Label"/>).</summary>
    public int NumLabels => Id2Label.Count;

    /// <summary>Width of one attention head.</summary>
    public int HeadSize => HiddenSize / NumAttentionHeads;

    /// <summary>The config.json key of <see cref="IntermediateSizes"/>.</summary>
    public const string IntermediateSizesKey = "earlybert_intermediate_sizes";

    /// <summary>True when heads or feed-forward neurons have been removed.</summary>
    public bool IsPruned => PrunedHeads.Any(p => p.Value.Count > 0) || IntermediateSizes is not null;

    /// <summary>The heads <paramref name="layer"/> still has, by their index in the unpruned layer, ascending.</summary>
    public IReadOnlyList<int> KeptHeads(int layer) =>
        PrunedHeads.TryGetValue(layer, out var pruned)
            ? Enumerable.Range(0, NumAttentionHeads).Except(pruned).ToList()
            : Enumerable.Range(0, NumAttentionHeads).ToList();

    /// <summary>Width of the feed-forward block of <paramref name="layer"/>.</summary>
    public int IntermediateSizeOf(int layer) => IntermediateSizes?[layer] ?? IntermediateSize;

    private static readonly HashSet<string> Modeled =
    [
        "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "hidden_act",
        "hidden_dropout_prob", "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size",
        "initializer_range", "layer_norm_eps", "pad_token_id", "classifier_dropout", "id2label", "label2id",
        "num_labels", "dtype", "torch_dtype", "architectures", "model_type", "pruned_heads", IntermediateSizesKey,
    ];

    /// <summary>Reads <c>config.json</c> text and validates the shape.</summary>
    public static BertConfig Parse(string json)
    {
        var node = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("config.json is not a JSON object.");
        var modelType = node["model_type"]?.GetValue<string>();
        if (modelType is not null && modelType != "bert")
            throw new InvalidDataException($"config.json describes a '{modelType}' model; only 'bert' is supported.");

        var config = new BertConfig
        {
            VocabSize = Int(node, "vocab_size", 30522),
            HiddenSize = Int(node, "hidden_size", 768),
            NumHiddenLayers = Int(node, "num_hidden_layers", 12),
            NumAttentionHeads = Int(node, "num_attention_heads", 12),
            IntermediateSize = Int(node, "intermediate_size", 3072),
            HiddenAct = node["hidden_act"]?.GetValue<string>() ?? "gelu",
            HiddenDropoutProb = Double(node, "hidden_dropout_prob", 0.1),
            AttentionProbsDropoutProb = Double(node, "attention_probs_dropout_prob", 0.1),
            MaxPositionEmbeddings = Int(node, "max_position_embeddings", 512),
            TypeVocabSize = Int(node, "type_vocab_size", 2),
            InitializerRange = Double(node, "initializer_range", 0.02),
            LayerNormEps = Double(node, "layer_norm_eps", 1e-12),
            PadTokenId = node["pad_token_id"] is JsonValue pad ? pad.GetValue<int>() : 0,
            ClassifierDropout = node["classifier_dropout"] is JsonValue dropout ? dropout.GetValue<double>() : null,
            Id2Label = Labels(node),
            // transformers 5 writes "dtype" where older versions wrote "torch_dtype".
            Dtype = (node["dtype"] ?? node["torch_dtype"])?.GetValue<string>() ?? "float32",
            Architectures = node["architectures"] is JsonArray names ? names.Select(n => n!.GetValue<string>()).ToList() : [],
            PrunedHeads = PrunedHeadsOf(node),
            IntermediateSizes = node[IntermediateSizesKey] is JsonArray sizes ? sizes.Select(n => n!.GetValue<int>()).ToList() : null,
            Extra = new JsonObject(node.Where(p => !Modeled.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))),
        };
        config.Validate();
        return config;
    }

    /// <summary>Reads <paramref name="path"/> (a <c>config.json</c>).</summary>
    public static BertConfig Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Checks that the numbers describe a model that can be built.</summary>
    public void Validate()
    {
        if (HiddenSize <= 0 || NumHiddenLayers <= 0 || NumAttentionHeads <= 0 || IntermediateSize <= 0 || VocabSize <= 0)
            throw new InvalidDataException("config.json: sizes must be positive.");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidDataException($"config.json: hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}.");
        if (NumLabels < 1)
            throw new InvalidDataException("config.json: at least one label is needed.");
        _ = Activations.Resolve(HiddenAct);
        foreach (var (layer, heads) in PrunedHeads)
        {
            if (layer < 0 || layer >= NumHiddenLayers || heads.Any(h => h < 0 || h >= NumAttentionHeads))
                throw new InvalidDataException($"config.json: pruned_heads names layer {layer} heads [{string.Join(", ", heads)}] outside the model.");
            // transformers cannot run a layer without heads either; a ticket always keeps some.
            if (heads.Distinct().Count() >= NumAttentionHeads)
                throw new InvalidDataException($"config.json: pruned_heads removes every head of layer {layer}.");
        }
        if (IntermediateSizes is { } sizes && (sizes.Count != NumHiddenLayers || sizes.Any(s => s < 0 || s > IntermediateSize)))
            throw new InvalidDataException($"config.json: {IntermediateSizesKey} needs one size per layer ({NumHiddenLayers}), each between 0 and intermediate_size {IntermediateSize}.");
    }

    /// <summary>Writes the configuration as Hugging Face does, with <paramref name="architecture"/> named.</summary>
    public string ToJson(string architecture)
    {
        var node = (JsonObject)Extra.DeepClone();
        node["architectures"] = new JsonArray(architecture);
        node["attention_probs_dropout_prob"] = AttentionProbsDropoutProb;
        node["classifier_dropout"] = ClassifierDropout;
        node["dtype"] = Dtype;
        node["hidden_act"] = HiddenAct;
        node["hidden_dropout_prob"] = HiddenDropoutProb;
        node["hidden_size"] = HiddenSize;
        node["id2label"] = new JsonObject(Id2Label.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)p.Value)));
        node["initializer_range"] = InitializerRange;
        node["intermediate_size"] = IntermediateSize;
        node["label2id"] = new JsonObject(Id2Label.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Value, (JsonNode?)p.Key)));
        node["layer_norm_eps"] = LayerNormEps;
        node["max_position_embeddings"] = MaxPositionEmbeddings;
        node["model_type"] = "bert";
        node["num_attention_heads"] = NumAttentionHeads;
        node["num_hidden_layers"] = NumHiddenLayers;
        node["pad_token_id"] = PadTokenId;
        if (PrunedHeads.Any(p => p.Value.Count > 0))
            node["pruned_heads"] = new JsonObject(PrunedHeads.Where(p => p.Value.Count > 0).OrderBy(p => p.Key).Select(p => KeyValuePair.Create(
                p.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)new JsonArray(p.Value.Order().Select(h => (JsonNode?)h).ToArray()))));
        if (IntermediateSizes is { } sizes)
            node[IntermediateSizesKey] = new JsonArray(sizes.Select(s => (JsonNode?)s).ToArray());
        node["type_vocab_size"] = TypeVocabSize;
        node["vocab_size"] = VocabSize;
        var sorted = new JsonObject(node.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        return sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static int Int(JsonObject node, string key, int fallback) => node[key] is JsonValue v ? v.GetValue<int>() : fallback;

    private static double Double(JsonObject node, string key, double fallback) => node[key] is JsonValue v ? v.GetValue<double>() : fallback;

    private static Dictionary<int, IReadOnlyList<int>> PrunedHeadsOf(JsonObject node) =>
        node["pruned_heads"] is JsonObject pruned
            ? pruned.ToDictionary(
                p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture),
                p => (IReadOnlyList<int>)p.Value!.AsArray().Select(h => h!.GetValue<int>()).Distinct().Order().ToList())
            : [];

    private static Dictionary<int, string> Labels(JsonObject node)
    {
        if (node["id2label"] is JsonObject labels && labels.Count > 0)
            return labels.ToDictionary(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => p.Value!.GetValue<string>());
        var count = node["num_labels"] is JsonValue n ? n.GetValue<int>() : 2;
        return Enumerable.Range(0, count).ToDictionary(i => i, i => $"LABEL_{i}");
    }
}
