using System.Security.Cryptography;
using EarlyBert.Recipes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Training.Training;

/// <summary>
/// The base model a run starts from, resolved to files: the folder with its weights (none for a random model), the
/// vocabulary, casing, the labels of an existing classifier head, and hashes that identify them.
/// </summary>
/// <param name="Source">What the config named.</param>
/// <param name="Directory">Hugging Face folder, or null for a random model.</param>
/// <param name="Config">Its BERT configuration.</param>
/// <param name="VocabularyFile">vocab.txt in use.</param>
/// <param name="Lowercase">Whether the tokenizer lowercases.</param>
/// <param name="Label2Id">Labels of a trained classifier head, or null when the head is new.</param>
/// <param name="WeightsSha256">SHA-256 of the weight files (in order), or <c>random</c> for a random model.</param>
/// <param name="VocabularySha256">SHA-256 of the vocabulary file.</param>
public sealed record BaseModel(
    string Source, string? Directory, BertConfig Config, string VocabularyFile, bool Lowercase,
    IReadOnlyDictionary<string, int>? Label2Id, string WeightsSha256, string VocabularySha256)
{
    /// <summary>Resolves the model section of a config (converting the built-in MiniLM on first use).</summary>
    public static BaseModel Resolve(ModelSection model, TokenizerSection tokenizer, ILogger logger, CancellationToken cancellationToken)
    {
        if (model.Source == ModelSection.Random)
        {
            var vocabulary = tokenizer.Vocab ?? Path.Combine(MiniLmImport.EnsureConverted(logger, cancellationToken: cancellationToken), "vocab.txt");
            RequireFile(vocabulary, "tokenizer.vocab");
            var shape = model.Architecture ?? new ArchitectureSection();
            var vocabularySize = shape.VocabSize ?? File.ReadLines(vocabulary).Count();
            var config = new BertConfig
            {
                VocabSize = vocabularySize, HiddenSize = shape.HiddenSize, NumHiddenLayers = shape.NumHiddenLayers,
                NumAttentionHeads = shape.NumAttentionHeads, IntermediateSize = shape.IntermediateSize,
                MaxPositionEmbeddings = shape.MaxPositionEmbeddings,
            };
            config.Validate();
            return new BaseModel(model.Source, null, config, vocabulary, tokenizer.Lowercase ?? true, null, "random", Sha256(vocabulary));
        }

        var directory = model.Source == ModelSection.MiniLm
            ? MiniLmImport.EnsureConverted(logger, cancellationToken: cancellationToken)
            : model.Source;
        if (!System.IO.Directory.Exists(directory))
            throw new RunConfigException($"model.source '{model.Source}' is neither a folder nor a built-in model ({ModelSection.MiniLm}, {ModelSection.Random}).");
        var bertConfig = BertConfig.Load(RequireFile(Path.Combine(directory, "config.json"), "model.source"));
        var vocab = RequireFile(tokenizer.Vocab ?? Path.Combine(directory, "vocab.txt"), "tokenizer.vocab");
        var weights = HfCheckpoint.WeightFiles(directory);
        var hasHead = weights.Any(file => SafetensorsFile.ReadHeader(file).ContainsKey("classifier.weight"));
        var label2Id = hasHead ? bertConfig.Id2Label.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal) : null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in weights)
        {
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return new BaseModel(model.Source, directory, bertConfig, vocab,
            tokenizer.Lowercase ?? Tokenization.TokenizerFiles.ReadLowercase(directory), label2Id,
            Convert.ToHexStringLower(hash.GetHashAndReset()), Sha256(vocab));
    }

    /// <summary>Builds the classifier with <paramref name="id2Label"/> and the config's dropout, loading weights when there are any.</summary>
    public BertForSequenceClassification Build(ModelSection model, IReadOnlyList<string> id2Label, ILogger logger)
    {
        BertConfig Configure(BertConfig config) => config with
        {
            Id2Label = id2Label.Select((label, id) => (label, id)).ToDictionary(p => p.id, p => p.label),
            HiddenDropoutProb = model.HiddenDropoutProb ?? config.HiddenDropoutProb,
            AttentionProbsDropoutProb = model.AttentionProbsDropoutProb ?? config.AttentionProbsDropoutProb,
        };
        return Directory is null
            ? new BertForSequenceClassification(Configure(Config))
            : HfCheckpoint.LoadForSequenceClassification(Directory, logger, Configure);
    }

    private static string RequireFile(string path, string key) =>
        File.Exists(path) ? path : throw new RunConfigException($"{key}: file {path} does not exist.");

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
