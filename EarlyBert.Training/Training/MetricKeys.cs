namespace EarlyBert.Training.Training;

/// <summary>The metric keys a training job logs (documented in the trainer's README; the dashboard builds on them).</summary>
public static class MetricKeys
{
    /// <summary>Mean training loss of the steps since the previous point.</summary>
    public const string TrainLoss = "train/loss";
    /// <summary>Learning rate of the step.</summary>
    public const string LearningRate = "train/learning_rate";
    /// <summary>Global L2 norm of the gradients before clipping.</summary>
    public const string GradNorm = "train/grad_norm";
    /// <summary>Training throughput since the previous point.</summary>
    public const string SequencesPerSecond = "train/seq_per_s";
    /// <summary>Mean wall time of a step since the previous point, in milliseconds.</summary>
    public const string StepMilliseconds = "train/step_ms";
    /// <summary>Resident memory of the training process, in MiB.</summary>
    public const string ResidentMegabytes = "process/rss_mb";
    /// <summary>Mean cross-entropy on the validation set.</summary>
    public const string EvalLoss = "eval/loss";
    /// <summary>Accuracy on the validation set.</summary>
    public const string EvalAccuracy = "eval/accuracy";
    /// <summary>Macro-averaged F1 on the validation set.</summary>
    public const string EvalF1Macro = "eval/f1_macro";
    /// <summary>Mean training loss of an epoch (at its last step).</summary>
    public const string EpochTrainLoss = "epoch/train_loss";
    /// <summary>Validation loss at an epoch end.</summary>
    public const string EpochValidationLoss = "epoch/validation_loss";
}
