using System.Text.Json.Nodes;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// Keras' <c>PolynomialDecay</c>: <c>(initial - end) * (1 - step / decay_steps) ^ power + end</c>, the step clamped
/// to <c>decay_steps</c>, or with <c>cycle</c> the horizon stretched to the next multiple of <c>decay_steps</c>.
/// </summary>
public sealed record PolynomialDecay : ILearningRateSchedule
{
    /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="decaySteps"/> ≤ 0. Keras would divide by it; a published model card shows
    /// <c>decay_steps: -60</c>, a schedule that raises the learning rate forever.
    /// </exception>
    public PolynomialDecay(double initialLearningRate, long decaySteps, double endLearningRate = 0.0001, double power = 1.0, bool cycle = false, string? name = null)
    {
        if (decaySteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "PolynomialDecay needs decay_steps > 0 (a negative value, as in some model cards, would make the learning rate grow without bound).");
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        EndLearningRate = endLearningRate;
        Power = power;
        Cycle = cycle;
        Name = name;
    }

    /// <summary>Learning rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps over which the rate falls to <see cref="EndLearningRate"/>.</summary>
    public long DecaySteps { get; }
    /// <summary>Learning rate from <see cref="DecaySteps"/> on.</summary>
    public double EndLearningRate { get; }
    /// <summary>Exponent of the decay (1 = linear).</summary>
    public double Power { get; }
    /// <summary>Whether the decay restarts after <see cref="DecaySteps"/>.</summary>
    public bool Cycle { get; }
    /// <summary>Keras' optional name.</summary>
    public string? Name { get; }

    /// <inheritdoc />
    public double LearningRate(long step)
    {
        double decaySteps = DecaySteps, current = step;
        if (Cycle)
            decaySteps *= step == 0 ? 1 : Math.Ceiling(current / DecaySteps);
        else
            current = Math.Min(current, decaySteps);
        return (InitialLearningRate - EndLearningRate) * Math.Pow(1 - current / decaySteps, Power) + EndLearningRate;
    }

    /// <inheritdoc />
    public JsonObject ToKeras() => new()
    {
        ["class_name"] = "PolynomialDecay",
        ["config"] = new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["decay_steps"] = DecaySteps,
            ["end_learning_rate"] = EndLearningRate,
            ["power"] = Power,
            ["cycle"] = Cycle,
            ["name"] = Name,
        },
    };
}
