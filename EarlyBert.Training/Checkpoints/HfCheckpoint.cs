using System.Text.Json.Nodes;
using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// Loads and saves Hugging Face model folders: <c>config.json</c> plus <c>model.safetensors</c> or a sharded
/// <c>model.safetensors.index.json</c>; saved folders load in transformers with <c>from_pretrained</c>.
/// </summary>
public static class HfCheckpoint
{
    /// <summary>Name of the weights file in a folder that is not sharded.</summary>
    public const string WeightsFile = "model.safetensors";
    /// <summary>Name of the index of a sharded folder.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>
    /// Loads a <see cref="BertForSequenceClassification"/> from <paramref name="directory"/>. Checkpoints of a bare
    /// <c>BertModel</c> (names without <c>bert.</c>) load into the encoder. <c>position_ids</c> buffers and the
    /// pre-training heads (<c>cls.*</c>) are ignored with one log line; a missing classifier (or pooler) is
    /// initialised (normal, std = <c>initializer_range</c>) and reported. Any other missing weight is an error.
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="logger">Where the report goes.</param>
    /// <param name="configure">Optional change to the configuration before the model is built (e.g. labels).</param>
    public static BertForSequenceClassification LoadForSequenceClassification(
        string directory, ILogger logger, Func<BertConfig, BertConfig>? configure = null)
    {
        var config = BertConfig.Load(Path.Combine(directory, "config.json"));
        if (configure is not null) config = configure(config);
        var model = new BertForSequenceClassification(config);
        try
        {
            LoadWeights(model, model.Bert, directory, logger);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Loads a bare <see cref="BertModel"/> (the encoder and pooler) from <paramref name="directory"/>.</summary>
    public static BertModel LoadBertModel(string directory, ILogger logger)
    {
        var model = new BertModel(BertConfig.Load(Path.Combine(directory, "config.json")));
        try
        {
            LoadWeights(model, model, directory, logger);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The weight files of a folder: the single file, or every shard named by the index.</summary>
    public static IReadOnlyList<string> WeightFiles(string directory)
    {
        var single = Path.Combine(directory, WeightsFile);
        if (File.Exists(single)) return [single];
        var index = Path.Combine(directory, IndexFile);
        if (File.Exists(index))
        {
            var map = JsonNode.Parse(File.ReadAllText(index))?["weight_map"]?.AsObject()
                ?? throw new InvalidDataException($"{index} has no weight_map.");
            return map.Select(p => p.Value!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)
                .Select(file => Path.Combine(directory, file)).ToList();
        }
        throw new FileNotFoundException($"{directory} holds neither {WeightsFile} nor {IndexFile}.", single);
    }

    private static void LoadWeights(nn.Module root, BertModel encoder, string directory, ILogger logger)
    {
        var files = WeightFiles(directory);
        var names = files.SelectMany(f => SafetensorsFile.ReadHeader(f).Keys).ToHashSet(StringComparer.Ordinal);
        // A checkpoint of BertForSequenceClassification (or BertForPreTraining) names the encoder "bert.*";
        // one of a bare BertModel (sentence-transformers, our MiniLM cache) does not.
        var prefixed = names.Any(n => n.StartsWith("bert.", StringComparison.Ordinal));
        nn.Module target = prefixed || ReferenceEquals(root, encoder) ? root : encoder;
        var prefix = ReferenceEquals(target, root) ? "" : "bert.";

        var expected = target.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        var ignored = names.Where(n => n.EndsWith("position_ids", StringComparison.Ordinal) || n.EndsWith("token_type_ids", StringComparison.Ordinal)
                                       || n.StartsWith("cls.", StringComparison.Ordinal)).ToList();
        var unexpected = names.Except(ignored).Where(n => !expected.Contains(n)).ToList();
        if (ignored.Count > 0)
            logger.LogInformation("Ignored {Count} checkpoint tensors that BertForSequenceClassification does not use (position_ids buffers, pre-training heads cls.*)", ignored.Count);
        if (unexpected.Count > 0)
            logger.LogWarning("Checkpoint tensors with no matching parameter were not loaded: {Names}", string.Join(", ", unexpected));

        var loaded = new Dictionary<string, bool>(StringComparer.Ordinal);
        var skip = ignored.Concat(unexpected).ToList();
        foreach (var file in files)
            target.load_safetensors(file, strict: false, skip: skip, loadedParameters: loaded);

        // Missing is judged on the whole model, so a head outside the loaded encoder (the classifier) is reported too.
        var loadedNames = loaded.Where(p => p.Value).Select(p => prefix + p.Key).ToHashSet(StringComparer.Ordinal);
        var missing = root.state_dict().Keys.Where(n => !loadedNames.Contains(n)).ToList();
        // Only a fresh head may be missing: the classifier of a new task, or the pooler of an export that dropped it.
        var initialisable = missing.Where(n => n.StartsWith("classifier.", StringComparison.Ordinal) || n.StartsWith("pooler.", StringComparison.Ordinal) || n.StartsWith("bert.pooler.", StringComparison.Ordinal)).ToList();
        var fatal = missing.Except(initialisable).ToList();
        if (fatal.Count > 0)
            throw new InvalidDataException($"{directory} lacks weights the model needs: {string.Join(", ", fatal)}");
        if (initialisable.Count > 0)
            logger.LogWarning("Weights not in the checkpoint were initialised (normal, std {Std}): {Names}", encoder.Config.InitializerRange, string.Join(", ", initialisable));
        logger.LogInformation("Loaded {Count} tensors from {Directory} ({Files} file(s))", loaded.Count(p => p.Value), directory, files.Count);
    }

    /// <summary>
    /// Saves <paramref name="model"/> in Hugging Face's layout: <c>config.json</c> (with <c>architectures</c>; a pruned
    /// model's removed heads as <c>pruned_heads</c>, which transformers applies, and its per-layer feed-forward widths as
    /// <c>earlybert_intermediate_sizes</c>, which only this loader applies: see <see cref="SaveDenseExport"/>),
    /// <c>model.safetensors</c> (<c>{"format":"pt"}</c> metadata) and, when <paramref name="vocabularyFile"/> is given,
    /// <c>vocab.txt</c> and <c>tokenizer_config.json</c>.
    /// </summary>
    public static void Save(BertForSequenceClassification model, string directory, string? vocabularyFile, bool lowercase = true) =>
        Save(model, model.Config, nameof(BertForSequenceClassification), directory, vocabularyFile, lowercase);

    /// <summary>
    /// Saves a pruned <paramref name="model"/> (an EarlyBERT ticket) zero-padded back to the full shape (the dense export):
    /// removed heads return in their places and every feed-forward block to <c>intermediate_size</c>, all with zero
    /// weights, and config.json has neither <c>pruned_heads</c> nor <c>earlybert_intermediate_sizes</c>, so any BERT
    /// loader reads the folder and computes the pruned model's logits. An unpruned model is saved as it is.
    /// </summary>
    public static void SaveDenseExport(BertForSequenceClassification model, string directory, string? vocabularyFile, bool lowercase = true)
    {
        if (!model.Config.IsPruned)
        {
            Save(model, directory, vocabularyFile, lowercase);
            return;
        }
        using var dense = EarlyBird.Pruning.ToDense(model);
        Save(dense, directory, vocabularyFile, lowercase);
    }

    /// <summary>Saves a bare <see cref="BertModel"/> (names without <c>bert.</c>, as Hugging Face saves one).</summary>
    public static void Save(BertModel model, string directory, string? vocabularyFile, bool lowercase = true) =>
        Save(model, model.Config, nameof(BertModel), directory, vocabularyFile, lowercase);

    private static void Save(nn.Module model, BertConfig config, string architecture, string directory, string? vocabularyFile, bool lowercase)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJson(architecture));
        var state = model.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal);
        // Write beside the target and move, so a crash never leaves a half-written checkpoint under the real name.
        var temporary = Path.Combine(directory, WeightsFile + ".tmp");
        SafetensorsFile.Write(temporary, state);
        File.Move(temporary, Path.Combine(directory, WeightsFile), overwrite: true);
        if (vocabularyFile is not null)
            Tokenization.TokenizerFiles.Write(directory, vocabularyFile, lowercase, config.MaxPositionEmbeddings);
    }
}
