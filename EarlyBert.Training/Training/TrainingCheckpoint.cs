using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace EarlyBert.Training.Training;

/// <summary>Where a run stands at a checkpoint: enough, with the weights and moments, to continue bit for bit.</summary>
/// <param name="Step">Optimizer updates done.</param>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="BatchInEpoch">Batches of that epoch done; the order of its examples follows from the seed and the epoch.</param>
/// <param name="EpochLossSum">Sum of the losses of those batches (for <c>epoch/train_loss</c>).</param>
/// <param name="IntervalLossSum">Sum of the losses since the last logged <c>train/loss</c> point.</param>
/// <param name="IntervalSteps">Steps since that point.</param>
/// <param name="EpochResults">The results of the epochs completed (the model card's table).</param>
/// <param name="EarlyBert">
/// In an EarlyBERT run, its phase and search history; <see cref="Epoch"/> and <see cref="BatchInEpoch"/> then count
/// within the phase (the efficient phase's data order starts afresh at the draw).
/// </param>
public sealed record CheckpointState(long Step, int Epoch, long BatchInEpoch, double EpochLossSum, double IntervalLossSum, int IntervalSteps,
    IReadOnlyList<EpochResult>? EpochResults = null, EarlyBird.EarlyBertProgress? EarlyBert = null);

/// <summary>
/// A training checkpoint folder: <c>model/</c> (Hugging Face layout), <c>optimizer.safetensors</c> (Adam moments),
/// <c>state.json</c> (<see cref="CheckpointState"/> and the optimizer's step count). Random state needs no saving:
/// the generator is re-seeded from (seed, step) before every step.
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>
    /// Files of a checkpoint, relative to its folder, <c>state.json</c> last: whoever copies them in this order can
    /// take a present <c>state.json</c> as proof that the rest arrived.
    /// </summary>
    public static IReadOnlyList<string> Files { get; } =
        ["optimizer.safetensors", "model/config.json", "model/model.safetensors", "model/vocab.txt", "model/tokenizer_config.json", "model/special_tokens_map.json", "state.json"];

    /// <summary>Writes a checkpoint into <paramref name="directory"/> (replacing what was there, never half-written).</summary>
    public static void Save(string directory, BertForSequenceClassification model, IBertOptimizer optimizer, CheckpointState state, string vocabularyFile, bool lowercase)
    {
        var staging = directory + ".partial";
        if (!Directory.Exists(directory) && Locate(directory) is { } survivor && survivor != directory)
            Directory.Move(survivor, directory);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        HfCheckpoint.Save(model, Path.Combine(staging, "model"), vocabularyFile, lowercase);
        SafetensorsFile.Write(Path.Combine(staging, "optimizer.safetensors"), optimizer.StateTensors());
        // state.json last: a folder that has it is complete.
        File.WriteAllText(Path.Combine(staging, "state.json"), JsonSerializer.Serialize(new StoredState(state, optimizer.Iterations), RunConfigJson.Options));
        // Swap by renames only, so a process killed at any point leaves a complete checkpoint under one of the
        // three names (see Locate); a recursive delete of the live folder could leave half of it behind.
        var previous = directory + ".old";
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        if (Directory.Exists(directory)) Directory.Move(directory, previous);
        Directory.Move(staging, directory);
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
    }

    /// <summary>
    /// The newest complete checkpoint saved into <paramref name="directory"/>, even when a save was interrupted:
    /// the folder itself, else its staging copy, else the one it replaced; null when there is none.
    /// </summary>
    public static string? Locate(string directory)
    {
        foreach (var candidate in new[] { directory, directory + ".partial", directory + ".old" })
        {
            if (File.Exists(Path.Combine(candidate, "state.json"))) return candidate;
        }
        return null;
    }

    /// <summary>Reads the state of the checkpoint in <paramref name="directory"/>.</summary>
    public static CheckpointState ReadState(string directory) => Read(directory).State;

    /// <summary>Loads the checkpoint's weights into <paramref name="model"/> (before its optimizer is created).</summary>
    public static void LoadWeights(string directory, BertForSequenceClassification model) =>
        model.load_safetensors(Path.Combine(directory, "model", HfCheckpoint.WeightsFile), strict: true);

    /// <summary>Restores the optimizer's moments and step count.</summary>
    public static void LoadOptimizer(string directory, IBertOptimizer optimizer)
    {
        var stored = Read(directory);
        using var scope = NewDisposeScope();
        var tensors = Safetensors.LoadStateDict(Path.Combine(directory, "optimizer.safetensors"));
        optimizer.RestoreState(tensors, stored.OptimizerIterations);
    }

    private static StoredState Read(string directory)
    {
        var path = Path.Combine(directory, "state.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory} is not a training checkpoint: it has no state.json.", path);
        return JsonSerializer.Deserialize<StoredState>(File.ReadAllText(path), RunConfigJson.Options)
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    private sealed record StoredState(CheckpointState State, long OptimizerIterations);
}
