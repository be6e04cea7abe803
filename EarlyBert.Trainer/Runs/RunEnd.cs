using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Training.Training;

namespace EarlyBert.Trainer.Runs;

/// <summary>The tracker status and reason a finished training job ends its run with.</summary>
internal static class RunEnd
{
    /// <summary><c>finished</c>, or <c>cancelled</c> with the step it stopped at.</summary>
    public static (string Status, string? Reason) Of(TrainingOutcome outcome) => outcome.End == TrainingEnd.Finished
        ? (RunStatuses.Finished, null)
        : (RunStatuses.Cancelled, $"cancelled on request at step {outcome.Steps}; checkpoint saved");
}
