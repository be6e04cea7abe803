using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EarlyBert.Recipes;

/// <summary>
/// Everything a training run needs, as one JSON document (snake_case keys, see <see cref="RunConfigJson"/>). Stored
/// resolved (every default written out, <c>decay_steps: "auto"</c> replaced by the step count) as the run's config,
/// so that a run can be repeated from its record alone.
/// </summary>
public sealed record RunConfig
{
    /// <summary>The schema this document follows; <see cref="CurrentSchemaVersion"/> for new configs.</summary>
    public const int CurrentSchemaVersion = 1;

    /// <summary>Version of the config schema.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>Tracker experiment the run belongs to.</summary>
    public string Experiment { get; init; } = "default";
    /// <summary>Run name; empty lets the tracker generate one.</summary>
    public string? Name { get; init; }
    /// <summary>The preset this config started from, if any.</summary>
    public string? Preset { get; init; }
    /// <summary>The base model.</summary>
    public ModelSection Model { get; init; } = new();
    /// <summary>The tokenizer.</summary>
    public TokenizerSection Tokenizer { get; init; } = new();
    /// <summary>The data.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>The training loop.</summary>
    public TrainingSection Training { get; init; } = new();
    /// <summary>
    /// The optimizer in Keras <c>get_config()</c> form (a model card's optimizer line, pasted as it is) or the torch
    /// flavour (<c>name: "AdamW"</c>); <c>decay_steps</c>/<c>total_steps</c> may be <c>"auto"</c>.
    /// </summary>
    public JsonObject Optimizer { get; init; } = Presets.CardOptimizer();
    /// <summary>Native-code switches (reported in the run's metadata).</summary>
    public RuntimeSection Runtime { get; init; } = new();
    /// <summary>Versions of the run this config reproduces, e.g. from an imported model card (name to version).</summary>
    public Dictionary<string, string> ReferenceVersions { get; init; } = [];
    /// <summary>How a reproduction of this run is judged.</summary>
    public ReproductionSection Reproduction { get; init; } = new();
    /// <summary>The EarlyBERT mode's parameters (read when <see cref="TrainingSection.Mode"/> is <c>earlybert</c>).</summary>
    [JsonPropertyName("earlybert")]
    public EarlyBertSection EarlyBert { get; init; } = new();
}

/// <summary>How a reproduction is judged (see <c>Reproduction.ReproductionVerdict</c>).</summary>
public sealed record ReproductionSection
{
    /// <summary>
    /// The largest relative difference of a logged loss that still counts as reproduced (<c>within tolerance</c>);
    /// the reproduction's own config decides, so <c>--set reproduction.tolerance=1e-3</c> loosens one reproduction.
    /// </summary>
    public double Tolerance { get; init; } = Reproduction.ReproductionVerdict.DefaultTolerance;
}

/// <summary>The base model: a Hugging Face folder, <c>builtin:minilm-l6</c> or <c>builtin:random</c>.</summary>
public sealed record ModelSection
{
    /// <summary>Built-in all-MiniLM-L6-v2 (imported from its ONNX package).</summary>
    public const string MiniLm = "builtin:minilm-l6";
    /// <summary>A randomly initialised BERT of <see cref="Architecture"/>.</summary>
    public const string Random = "builtin:random";

    /// <summary>Folder, <see cref="MiniLm"/> or <see cref="Random"/>.</summary>
    public string Source { get; init; } = MiniLm;
    /// <summary>Shape of a random model (ignored otherwise).</summary>
    public ArchitectureSection? Architecture { get; init; }
    /// <summary>Dropout of hidden states; null keeps the model's.</summary>
    public double? HiddenDropoutProb { get; init; }
    /// <summary>Dropout of attention probabilities; null keeps the model's.</summary>
    public double? AttentionProbsDropoutProb { get; init; }
}

/// <summary>Shape of a randomly initialised BERT.</summary>
public sealed record ArchitectureSection
{
    /// <summary>Hidden size.</summary>
    public int HiddenSize { get; init; } = 64;
    /// <summary>Encoder layers.</summary>
    public int NumHiddenLayers { get; init; } = 2;
    /// <summary>Attention heads.</summary>
    public int NumAttentionHeads { get; init; } = 4;
    /// <summary>Feed-forward width.</summary>
    public int IntermediateSize { get; init; } = 128;
    /// <summary>Vocabulary size; the tokenizer's vocabulary when null.</summary>
    public int? VocabSize { get; init; }
    /// <summary>Longest sequence.</summary>
    public int MaxPositionEmbeddings { get; init; } = 512;
}

/// <summary>The WordPiece tokenizer.</summary>
public sealed record TokenizerSection
{
    /// <summary>vocab.txt; null uses the model's (bert-base-uncased's for random models).</summary>
    public string? Vocab { get; init; }
    /// <summary>Lowercase and strip accents (uncased); null follows the model's tokenizer_config.json.</summary>
    public bool? Lowercase { get; init; }
    /// <summary>Truncate inputs to this many tokens.</summary>
    public int MaxLength { get; init; } = 128;
}

/// <summary>The training loop.</summary>
public sealed record TrainingSection
{
    /// <summary>
    /// <c>dense</c> trains the whole model; <c>earlybert</c> searches an early-bird ticket, prunes heads and FFN neurons
    /// and trains the smaller network (see <see cref="RunConfig.EarlyBert"/>).
    /// </summary>
    public string Mode { get; init; } = "dense";
    /// <summary>Passes over the training data (ignored when <see cref="MaxSteps"/> is set).</summary>
    public int Epochs { get; init; } = 3;
    /// <summary>Stop after this many optimizer updates.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Sequences per update.</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Seed of the model's head, dropout and data order.</summary>
    public long Seed { get; init; } = 42;
    /// <summary><c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "auto";
    /// <summary><c>float32</c>, <c>tf32</c> or <c>bf16-mixed</c>.</summary>
    public string Precision { get; init; } = "float32";
    /// <summary>Intra-op threads on the CPU; null = every core.</summary>
    public int? Threads { get; init; }
    /// <summary>Clip gradients to this global norm; null = no clipping (the card's recipe).</summary>
    public double? ClipGradNorm { get; init; }
    /// <summary>Evaluate every N steps as well as at each epoch end; null = epoch ends only.</summary>
    public long? EvalEverySteps { get; init; }
    /// <summary>Save a checkpoint every N steps (and when cancelled); null = only at epoch ends.</summary>
    public long? CheckpointEverySteps { get; init; }
    /// <summary>Log training metrics every N steps (the mean loss of those steps).</summary>
    public int LogEverySteps { get; init; } = 10;
    /// <summary>Times a crashed run is re-queued and resumed from its last checkpoint.</summary>
    public int Retries { get; init; } = 1;
}

/// <summary>Native switches; the trainer applies them as <c>EarlyBert.Training.Runtime.RuntimeOptions</c>.</summary>
public sealed record RuntimeSection
{
    /// <summary>MKL AVX2 kernels on non-Intel CPUs.</summary>
    public bool MklAvx2 { get; init; } = true;
    /// <summary>Fused CPU Adam update.</summary>
    public bool FusedAdam { get; init; } = true;
    /// <summary>Vectorised Philox dropout on the CPU.</summary>
    public bool PhiloxDropout { get; init; } = true;
}
