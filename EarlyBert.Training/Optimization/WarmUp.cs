using System.Text.Json.Nodes;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// transformers' Keras <c>WarmUp</c>: <c>initial * (step / warmup_steps) ^ power</c> while
/// <c>step &lt; warmup_steps</c>, then the wrapped schedule at <c>step - warmup_steps</c>.
/// </summary>
public sealed record WarmUp : ILearningRateSchedule
{
    /// <summary>Creates the warm-up in front of <paramref name="decaySchedule"/>.</summary>
    public WarmUp(double initialLearningRate, ILearningRateSchedule decaySchedule, long warmupSteps, double power = 1.0, string? name = null)
    {
        if (warmupSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "WarmUp needs warmup_steps > 0.");
        InitialLearningRate = initialLearningRate;
        DecaySchedule = decaySchedule;
        WarmupSteps = warmupSteps;
        Power = power;
        Name = name;
    }

    /// <summary>Learning rate reached at the end of the warm-up.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Schedule that takes over after the warm-up, counted from 0.</summary>
    public ILearningRateSchedule DecaySchedule { get; }
    /// <summary>Length of the warm-up.</summary>
    public long WarmupSteps { get; }
    /// <summary>Exponent of the warm-up ramp.</summary>
    public double Power { get; }
    /// <summary>Keras' optional name.</summary>
    public string? Name { get; }

    /// <inheritdoc />
    public double LearningRate(long step) =>
        step < WarmupSteps
            ? InitialLearningRate * Math.Pow((double)step / WarmupSteps, Power)
            : DecaySchedule.LearningRate(step - WarmupSteps);

    /// <inheritdoc />
    public JsonObject ToKeras() => new()
    {
        ["class_name"] = "WarmUp",
        ["config"] = new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["decay_schedule_fn"] = DecaySchedule.ToKeras(),
            ["warmup_steps"] = WarmupSteps,
            ["power"] = Power,
            ["name"] = Name,
        },
    };
}
