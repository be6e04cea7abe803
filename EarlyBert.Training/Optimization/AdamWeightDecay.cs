using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// transformers' TF-Keras <c>AdamWeightDecay</c> (what <c>create_optimizer</c> builds), with its exact semantics
/// (shared/golden/README.md): per update, <c>lr_t</c> from the schedule at <c>iterations</c>; decoupled decay with the
/// scheduled rate first (<c>p -= lr_t * rate * p</c>, unless excluded); then Keras Adam, whose epsilon is added to
/// <c>sqrt(v)</c> and whose bias correction is folded into the step size:
/// <c>p -= lr_t * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)</c>.
/// </summary>
public sealed class AdamWeightDecay : AdamOptimizerBase
{
    /// <summary>Creates the optimizer over named parameters; see <see cref="KerasOptimizerConfig"/> for the defaults.</summary>
    public AdamWeightDecay(IEnumerable<(string Name, Parameter Parameter)> parameters, ILearningRateSchedule schedule,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecayRate = 0.0,
        IEnumerable<string>? excludeFromWeightDecay = null, IEnumerable<string>? includeInWeightDecay = null,
        double decay = 0.0, bool clipByGlobalNormKeras = true)
        : base(parameters, schedule, beta1, beta2, epsilon, weightDecayRate,
            new WeightDecayFilter(weightDecayRate, excludeFromWeightDecay, includeInWeightDecay))
    {
        LegacyDecay = decay;
        KerasClipping = clipByGlobalNormKeras;
    }

    /// <summary>Keras' legacy time-based decay: the scheduled rate is divided by <c>1 + decay * iterations</c>.</summary>
    public double LegacyDecay { get; }

    private bool KerasClipping { get; }

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor m, Tensor v, Tensor scratch, double learningRate, long t, bool decays)
    {
        if (LegacyDecay > 0)
            learningRate /= 1 + LegacyDecay * (t - 1);
        if (decays && WeightDecayRate != 0)
            p.sub_(p * (learningRate * WeightDecayRate));
        m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        scratch.copy_(v).sqrt_().add_(Epsilon);
        var stepSize = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
        p.addcdiv_(m, scratch, value: -stepSize);
    }

    /// <inheritdoc />
    protected override void UpdateFused(Tensor p, Tensor g, Tensor m, Tensor v, double learningRate, long t, bool decays)
    {
        if (LegacyDecay > 0)
            learningRate /= 1 + LegacyDecay * (t - 1);
        var decayRate = decays ? learningRate * WeightDecayRate : 0.0;
        var stepSize = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
        FusedCpuAdam.Keras(p, g, m, v, (float)decayRate, (float)Beta1, (float)Beta2, (float)Epsilon, (float)stepSize);
    }

    /// <inheritdoc />
    public override double ClipGradientNorm(double maxNorm)
    {
        if (!KerasClipping) return base.ClipGradientNorm(maxNorm);
        // tf.clip_by_global_norm (Keras global_clipnorm): scale by max_norm / max(norm, max_norm).
        var norm = GradientNorm();
        if (norm > maxNorm)
            ScaleGradients(maxNorm / norm);
        return norm;
    }
}
