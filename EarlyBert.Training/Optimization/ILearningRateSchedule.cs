using System.Text.Json.Nodes;

namespace EarlyBert.Training.Optimization;

/// <summary>A learning rate as a function of the optimizer's step counter (Keras' <c>iterations</c>, from 0).</summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate for the update that runs when the counter is <paramref name="step"/>.</summary>
    double LearningRate(long step);

    /// <summary>The schedule as Keras serialises it: <c>{"class_name": ..., "config": {...}}</c>.</summary>
    JsonObject ToKeras();
}

/// <summary>A fixed learning rate (Keras writes it as a bare number).</summary>
/// <param name="Value">The learning rate.</param>
public sealed record ConstantLearningRate(double Value) : ILearningRateSchedule
{
    /// <inheritdoc />
    public double LearningRate(long step) => Value;

    /// <inheritdoc />
    public JsonObject ToKeras() => new() { ["class_name"] = "Constant", ["config"] = new JsonObject { ["learning_rate"] = Value } };
}
