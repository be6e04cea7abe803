using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// <c>torch.optim.AdamW</c> (the PyTorch flavour of fine-tuning, with transformers' convention of no decay for
/// biases and LayerNorm weights): <c>p *= 1 - lr * wd</c>, <c>m = lerp(m, g, 1 - b1)</c>,
/// <c>v = b2 v + (1 - b2) g²</c>, <c>p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>.
/// </summary>
public sealed class TorchAdamW : AdamOptimizerBase
{
    /// <summary>Creates the optimizer over named parameters.</summary>
    public TorchAdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, ILearningRateSchedule schedule,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01,
        IEnumerable<string>? noDecay = null)
        : base(parameters, schedule, beta1, beta2, epsilon, weightDecay,
            new WeightDecayFilter(weightDecay, noDecay ?? WeightDecayFilter.DefaultExclusions))
    {
    }

    /// <inheritdoc />
    protected override void Update(Tensor p, Tensor g, Tensor m, Tensor v, Tensor scratch, double learningRate, long t, bool decays)
    {
        if (decays && WeightDecayRate != 0)
            p.mul_(1 - learningRate * WeightDecayRate);
        m.lerp_(g, 1 - Beta1);
        v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
        var biasCorrection1 = 1 - Math.Pow(Beta1, t);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, t));
        scratch.copy_(v).sqrt_().div_(biasCorrection2Sqrt).add_(Epsilon);
        p.addcdiv_(m, scratch, value: -learningRate / biasCorrection1);
    }

    /// <inheritdoc />
    protected override void UpdateFused(Tensor p, Tensor g, Tensor m, Tensor v, double learningRate, long t, bool decays)
    {
        var decayFactor = decays ? 1 - learningRate * WeightDecayRate : 1.0;
        FusedCpuAdam.Torch(p, g, m, v, (float)decayFactor, (float)Beta1, (float)Beta2, (float)Epsilon,
            (float)(learningRate / (1 - Math.Pow(Beta1, t))), (float)Math.Sqrt(1 - Math.Pow(Beta2, t)));
    }
}
