using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// What the two Adam flavours share: parameters split into a decayed and a non-decayed flat group, the first and
/// second moment buffers, the schedule and the step counter. Create the optimizer after the model is on its device
/// and in its final dtype: flattening re-points the parameters at the optimizer's buffers, and moving the model
/// afterwards would detach them again.
/// </summary>
public abstract class AdamOptimizerBase : IBertOptimizer
{
    private readonly List<Group> groups = [];

    /// <summary>Flattens the trainable <paramref name="parameters"/> into decayed / not decayed groups.</summary>
    protected AdamOptimizerBase(IEnumerable<(string Name, Parameter Parameter)> parameters, ILearningRateSchedule schedule,
        double beta1, double beta2, double epsilon, double weightDecayRate, WeightDecayFilter filter)
    {
        Schedule = schedule;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecayRate = weightDecayRate;
        var trainable = parameters.Where(p => p.Parameter.requires_grad).ToList();
        foreach (var decays in new[] { true, false })
        {
            var members = trainable.Where(p => filter.Decays(p.Name) == decays).ToList();
            if (members.Count == 0) continue;
            var flat = new FlatParameterGroup(members);
            groups.Add(new Group(flat, decays, zeros_like(flat.Values), zeros_like(flat.Values), empty_like(flat.Values)));
        }
    }

    /// <summary>Learning-rate schedule, evaluated at <see cref="Iterations"/>.</summary>
    public ILearningRateSchedule Schedule { get; }
    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to the denominator.</summary>
    public double Epsilon { get; }
    /// <summary>Decoupled weight decay rate.</summary>
    public double WeightDecayRate { get; }

    /// <inheritdoc />
    public long Iterations { get; private set; }

    /// <inheritdoc />
    public double CurrentLearningRate => Schedule.LearningRate(Iterations);

    /// <summary>Names of the decayed parameters.</summary>
    public IReadOnlyList<string> DecayedParameters => groups.Where(g => g.Decays).SelectMany(g => g.Flat.Names).ToList();

    /// <summary>Names of the parameters without weight decay.</summary>
    public IReadOnlyList<string> UndecayedParameters => groups.Where(g => !g.Decays).SelectMany(g => g.Flat.Names).ToList();

    /// <inheritdoc />
    public void Step()
    {
        var learningRate = CurrentLearningRate;
        var t = Iterations + 1;
        using (no_grad())
        {
            foreach (var group in groups)
            {
                if (FusedCpuAdam.Enabled && FusedCpuAdam.Supports(group.Flat.Values))
                {
                    UpdateFused(group.Flat.Values, group.Flat.Gradients, group.M, group.V, learningRate, t, group.Decays);
                    continue;
                }
                using var scope = NewDisposeScope();
                Update(group.Flat.Values, group.Flat.Gradients, group.M, group.V, group.Scratch, learningRate, t, group.Decays);
            }
        }
        Iterations = t;
    }

    /// <summary>
    /// Applies one update to <paramref name="p"/> in place. <paramref name="t"/> counts from 1;
    /// <paramref name="scratch"/> is a preallocated buffer of the same size for the denominator.
    /// </summary>
    protected abstract void Update(Tensor p, Tensor g, Tensor m, Tensor v, Tensor scratch, double learningRate, long t, bool decays);

    /// <summary>The same update as <see cref="Update"/> in one fused pass over float32 CPU buffers.</summary>
    protected abstract void UpdateFused(Tensor p, Tensor g, Tensor m, Tensor v, double learningRate, long t, bool decays);

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (var group in groups) group.Flat.ZeroGradients();
    }

    /// <inheritdoc />
    public double GradientNorm()
    {
        using var _ = no_grad();
        var sum = 0.0;
        foreach (var group in groups)
        {
            using var squares = group.Flat.Gradients.square().sum();
            sum += squares.to(ScalarType.Float64).item<double>();
        }
        return Math.Sqrt(sum);
    }

    /// <inheritdoc />
    public virtual double ClipGradientNorm(double maxNorm)
    {
        // torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1.
        var norm = GradientNorm();
        var coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1)
            ScaleGradients(coefficient);
        return norm;
    }

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateTensors() =>
        groups.SelectMany((group, index) => new[]
        {
            KeyValuePair.Create($"group{index}.exp_avg", group.M),
            KeyValuePair.Create($"group{index}.exp_avg_sq", group.V),
        }).ToList();

    /// <inheritdoc />
    public void RestoreState(IReadOnlyDictionary<string, Tensor> state, long iterations)
    {
        using var _ = no_grad();
        foreach (var (name, buffer) in StateTensors())
        {
            if (!state.TryGetValue(name, out var saved) || !saved.shape.SequenceEqual(buffer.shape))
                throw new InvalidDataException($"The optimizer state has no buffer {name} of shape [{string.Join(',', buffer.shape)}]: it belongs to another model or optimizer.");
            buffer.copy_(saved);
        }
        Iterations = iterations;
    }

    /// <summary>Multiplies every gradient by <paramref name="factor"/> in place.</summary>
    protected void ScaleGradients(double factor)
    {
        using var _ = no_grad();
        foreach (var group in groups) group.Flat.Gradients.mul_(factor);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var group in groups)
        {
            group.Flat.Dispose();
            group.M.Dispose();
            group.V.Dispose();
            group.Scratch.Dispose();
        }
        GC.SuppressFinalize(this);
    }

    private sealed record Group(FlatParameterGroup Flat, bool Decays, Tensor M, Tensor V, Tensor Scratch);
}
