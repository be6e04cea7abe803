using System.Text.Json.Nodes;

namespace EarlyBert.Recipes;

/// <summary>Ready-made configs: <c>seed-recipe</c>, <c>quickstart</c> and <c>smoke</c>.</summary>
public static class Presets
{
    /// <summary>Names of every preset.</summary>
    public static IReadOnlyList<string> Names { get; } = ["seed-recipe", "quickstart", "smoke"];

    /// <summary>
    /// The framework versions of the model card this project started from: the reference a run of its recipe is
    /// compared against.
    /// </summary>
    public static Dictionary<string, string> CardVersions() => new(StringComparer.Ordinal)
    {
        ["Transformers"] = "4.18.0",
        ["TensorFlow"] = "2.8.0",
        ["Datasets"] = "2.1.0",
        ["Tokenizers"] = "0.12.1",
    };

    /// <summary>
    /// The card's optimizer line (transformers' <c>create_optimizer</c>: AdamWeightDecay, PolynomialDecay 2e-5 → 0,
    /// power 1, betas 0.9/0.999, eps 1e-8, weight decay 0.01) with <c>decay_steps: "auto"</c>.
    /// </summary>
    public static JsonObject CardOptimizer() => new()
    {
        ["name"] = "AdamWeightDecay",
        ["learning_rate"] = new JsonObject
        {
            ["class_name"] = "PolynomialDecay",
            ["config"] = new JsonObject
            {
                ["initial_learning_rate"] = 2e-05,
                ["decay_steps"] = "auto",
                ["end_learning_rate"] = 0.0,
                ["power"] = 1.0,
                ["cycle"] = false,
                ["name"] = null,
            },
        },
        ["decay"] = 0.0,
        ["beta_1"] = 0.9,
        ["beta_2"] = 0.999,
        ["epsilon"] = 1e-08,
        ["amsgrad"] = false,
        ["weight_decay_rate"] = 0.01,
    };

    /// <summary>The preset named <paramref name="name"/>; an unknown name is an error that lists the presets.</summary>
    public static RunConfig Get(string name) => name switch
    {
        "seed-recipe" => SeedRecipe(),
        "quickstart" => SeedRecipe() with
        {
            Preset = "quickstart",
            Name = null,
            Data = new DataConfig { Name = "spam-assassin", MaxTrainExamples = 600, MaxValidationExamples = 200 },
            Training = new TrainingSection { Epochs = 1, BatchSize = 16, LogEverySteps = 1 },
        },
        "smoke" => new RunConfig
        {
            Preset = "smoke",
            Model = new ModelSection
            {
                Source = ModelSection.Random,
                Architecture = new ArchitectureSection { HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 },
            },
            Tokenizer = new TokenizerSection { MaxLength = 64 },
            Data = new DataConfig { Name = "spam-assassin", MaxTrainExamples = 96, MaxValidationExamples = 32 },
            Training = new TrainingSection { Epochs = 2, BatchSize = 16, LogEverySteps = 1, Threads = 1, CheckpointEverySteps = 4 },
            Optimizer = WithLearningRate(CardOptimizer(), 1e-3),
        },
        _ => throw new RunConfigException($"There is no preset '{name}'; presets are {string.Join(", ", Names)}."),
    };

    private static RunConfig SeedRecipe() => new()
    {
        Preset = "seed-recipe",
        Model = new ModelSection { Source = ModelSection.MiniLm },
        Tokenizer = new TokenizerSection { MaxLength = 128 },
        Data = new DataConfig { Name = "spam-assassin" },
        Training = new TrainingSection { Epochs = 3, BatchSize = 16, Precision = "float32" },
        Optimizer = CardOptimizer(),
        ReferenceVersions = CardVersions(),
    };

    private static JsonObject WithLearningRate(JsonObject optimizer, double rate)
    {
        optimizer["learning_rate"]!["config"]!["initial_learning_rate"] = rate;
        return optimizer;
    }
}
