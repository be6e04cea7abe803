using System.Text.Json.Nodes;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// transformers' <c>get_linear_schedule_with_warmup</c> for the PyTorch flavour: a linear ramp from 0 over
/// <c>warmup_steps</c>, then a linear decay to 0 at <c>total_steps</c>.
/// </summary>
public sealed record LinearScheduleWithWarmup : ILearningRateSchedule
{
    /// <summary>Creates the schedule; <paramref name="totalSteps"/> must be positive.</summary>
    public LinearScheduleWithWarmup(double learningRate, long warmupSteps, long totalSteps)
    {
        if (totalSteps <= 0)
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The linear schedule needs total steps > 0.");
        if (warmupSteps < 0 || warmupSteps > totalSteps)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "Warm-up steps must lie between 0 and the total steps.");
        BaseLearningRate = learningRate;
        WarmupSteps = warmupSteps;
        TotalSteps = totalSteps;
    }

    /// <summary>Peak learning rate.</summary>
    public double BaseLearningRate { get; }
    /// <summary>Steps of the linear ramp.</summary>
    public long WarmupSteps { get; }
    /// <summary>Step at which the rate reaches 0.</summary>
    public long TotalSteps { get; }

    /// <inheritdoc />
    public double LearningRate(long step)
    {
        if (step < WarmupSteps)
            return BaseLearningRate * step / Math.Max(1, WarmupSteps);
        return BaseLearningRate * Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
    }

    /// <inheritdoc />
    public JsonObject ToKeras() => new()
    {
        ["class_name"] = "LinearScheduleWithWarmup",
        ["config"] = new JsonObject { ["learning_rate"] = BaseLearningRate, ["warmup_steps"] = WarmupSteps, ["total_steps"] = TotalSteps },
    };
}
