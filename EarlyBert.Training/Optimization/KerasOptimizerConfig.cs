using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes.ModelCards;
using TorchSharp.Modules;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// An optimizer configuration with the keys and defaults that Keras' <c>get_config()</c> writes for transformers'
/// <c>AdamWeightDecay</c> (<c>name</c>, <c>learning_rate</c> as <c>{class_name, config}</c>, <c>decay</c>,
/// <c>beta_1</c>, <c>beta_2</c>, <c>epsilon</c>, <c>amsgrad</c>, <c>weight_decay_rate</c>), so the optimizer line of
/// a model card can be pasted as it is (JSON or the Python dict repr).
/// </summary>
public sealed record KerasOptimizerConfig
{
    /// <summary>Optimizer name; <c>AdamWeightDecay</c> or <c>AdamW</c> (PyTorch flavour).</summary>
    public string Name { get; init; } = "AdamWeightDecay";
    /// <summary>The schedule (or constant rate).</summary>
    public ILearningRateSchedule LearningRate { get; init; } = new ConstantLearningRate(0.001);
    /// <summary>Keras' legacy time-based decay.</summary>
    public double Decay { get; init; }
    /// <summary>First moment decay.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Second moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Keras' default epsilon is 1e-7 (transformers' <c>create_optimizer</c> passes 1e-8).</summary>
    public double Epsilon { get; init; } = 1e-7;
    /// <summary>AMSGrad is not supported: a configuration asking for it is rejected.</summary>
    public bool Amsgrad { get; init; }
    /// <summary>Decoupled weight decay rate.</summary>
    public double WeightDecayRate { get; init; }
    /// <summary>Regular expressions of parameters without decay (not part of Keras' config).</summary>
    public IReadOnlyList<string> ExcludeFromWeightDecay { get; init; } = WeightDecayFilter.DefaultExclusions;
    /// <summary>Regular expressions of parameters always decayed (not part of Keras' config).</summary>
    public IReadOnlyList<string> IncludeInWeightDecay { get; init; } = [];

    /// <summary>Reads a configuration from JSON or a Python dict literal.</summary>
    public static KerasOptimizerConfig Parse(string text)
    {
        var node = PythonLiteral.Parse(text) as JsonObject ?? throw new FormatException("The optimizer configuration must be a dictionary.");
        var config = new KerasOptimizerConfig
        {
            Name = node["name"]?.GetValue<string>() ?? "AdamWeightDecay",
            LearningRate = Schedule(node["learning_rate"]) ,
            Decay = Number(node, "decay", 0.0),
            Beta1 = Number(node, "beta_1", 0.9),
            Beta2 = Number(node, "beta_2", 0.999),
            Epsilon = Number(node, "epsilon", 1e-7),
            Amsgrad = node["amsgrad"]?.GetValue<bool>() ?? false,
            WeightDecayRate = Number(node, "weight_decay_rate", 0.0),
        };
        if (config.Amsgrad) throw new NotSupportedException("amsgrad=True is not supported.");
        return config;
    }

    /// <summary>The configuration as Keras' <c>get_config()</c> writes it.</summary>
    public JsonObject ToKeras() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = LearningRate is ConstantLearningRate constant ? JsonValue.Create(constant.Value) : LearningRate.ToKeras(),
        ["decay"] = Decay,
        ["beta_1"] = Beta1,
        ["beta_2"] = Beta2,
        ["epsilon"] = Epsilon,
        ["amsgrad"] = Amsgrad,
        ["weight_decay_rate"] = WeightDecayRate,
    };

    /// <summary>The configuration as JSON text.</summary>
    public string ToJson() => ToKeras().ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>Creates the optimizer this configuration describes over <paramref name="parameters"/>.</summary>
    public IBertOptimizer Create(IEnumerable<(string Name, Parameter Parameter)> parameters) => Name switch
    {
        "AdamWeightDecay" => new AdamWeightDecay(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecayRate, ExcludeFromWeightDecay, IncludeInWeightDecay, Decay),
        "AdamW" => new TorchAdamW(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecayRate, ExcludeFromWeightDecay),
        _ => throw new NotSupportedException($"Optimizer '{Name}' is not supported (AdamWeightDecay, AdamW)."),
    };

    private static double Number(JsonObject node, string key, double fallback) => node[key] switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v => v.GetValue<System.Text.Json.JsonElement>().GetDouble(),
        _ => fallback,
    };

    private static ILearningRateSchedule Schedule(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return new ConstantLearningRate(0.001);
            case JsonValue value:
                return new ConstantLearningRate(value.GetValue<double>());
            case JsonObject schedule:
                var config = schedule["config"] as JsonObject ?? throw new FormatException("learning_rate needs a 'config'.");
                var name = config["name"]?.GetValue<string>();
                return schedule["class_name"]?.GetValue<string>() switch
                {
                    "PolynomialDecay" => new PolynomialDecay(
                        Number(config, "initial_learning_rate", 0.001),
                        (long)Number(config, "decay_steps", 0),
                        Number(config, "end_learning_rate", 0.0001),
                        Number(config, "power", 1.0),
                        config["cycle"]?.GetValue<bool>() ?? false,
                        name),
                    "WarmUp" => new WarmUp(
                        Number(config, "initial_learning_rate", 0.001),
                        Schedule(config["decay_schedule_fn"]),
                        (long)Number(config, "warmup_steps", 0),
                        Number(config, "power", 1.0),
                        name),
                    "LinearScheduleWithWarmup" => new LinearScheduleWithWarmup(
                        Number(config, "learning_rate", 0.001), (long)Number(config, "warmup_steps", 0), (long)Number(config, "total_steps", 0)),
                    "Constant" => new ConstantLearningRate(Number(config, "learning_rate", 0.001)),
                    var other => throw new NotSupportedException($"Learning-rate schedule '{other}' is not supported (PolynomialDecay, WarmUp)."),
                };
            default:
                throw new FormatException("learning_rate must be a number or a {class_name, config} dictionary.");
        }
    }
}
