namespace EarlyBert.Training.Optimization;

/// <summary>An optimizer with its learning-rate schedule built in, as Keras' optimizers have.</summary>
public interface IBertOptimizer : IDisposable
{
    /// <summary>Updates applied so far (Keras' <c>iterations</c>).</summary>
    long Iterations { get; }

    /// <summary>The learning rate the next <see cref="Step"/> uses.</summary>
    double CurrentLearningRate { get; }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    void Step();

    /// <summary>Sets the gradients to zero before the next backward pass.</summary>
    void ZeroGrad();

    /// <summary>Global L2 norm of the current gradients.</summary>
    double GradientNorm();

    /// <summary>The optimizer's moment buffers by name, for a checkpoint (the step count is <see cref="Iterations"/>).</summary>
    IReadOnlyList<KeyValuePair<string, TorchSharp.torch.Tensor>> StateTensors();

    /// <summary>Restores moment buffers written by <see cref="StateTensors"/> and the step count.</summary>
    void RestoreState(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> state, long iterations);

    /// <summary>Scales the gradients so that their global norm is at most <paramref name="maxNorm"/>; returns the norm before.</summary>
    double ClipGradientNorm(double maxNorm);
}
