using EarlyBert.Training.Training;
using Spectre.Console;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// A live progress line on standard error (Spectre.Console): epoch, step, loss, sequences/s, ETA. When standard error
/// is not a terminal (CI, a pipe) it writes a plain line every few seconds instead of redrawing.
/// </summary>
internal sealed class ProgressDisplay : IDisposable
{
    private readonly IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    private readonly bool interactive = !Console.IsErrorRedirected;
    private readonly Lock gate = new();
    private DateTime lastPlain = DateTime.MinValue;
    private TrainingProgress? latest;
    private readonly Task? renderer;
    private readonly CancellationTokenSource stop = new();

    public ProgressDisplay()
    {
        if (!interactive) return;
        renderer = console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("preparing", maxValue: 1);
                while (!stop.IsCancellationRequested)
                {
                    TrainingProgress? current;
                    lock (gate) current = latest;
                    if (current is not null)
                    {
                        task.MaxValue = current.TotalSteps;
                        task.Value = current.Step;
                        task.Description = Describe(current);
                    }
                    try { await Task.Delay(250, stop.Token); } catch (OperationCanceledException) { }
                }
                if (latest is not null) task.Value = latest.Step;
                task.StopTask();
            });
    }

    /// <summary>Takes the newest progress (called by the training thread after every step).</summary>
    public void Report(TrainingProgress progress)
    {
        lock (gate) latest = progress;
        if (interactive || DateTime.UtcNow - lastPlain < TimeSpan.FromSeconds(5) && progress.Step != progress.TotalSteps) return;
        lastPlain = DateTime.UtcNow;
        Console.Error.WriteLine(Markup.Remove(Describe(progress)) + $", {progress.Step * 100.0 / progress.TotalSteps:0}%, ETA {progress.Remaining:hh\\:mm\\:ss}");
    }

    public void Dispose()
    {
        stop.Cancel();
        renderer?.GetAwaiter().GetResult();
        stop.Dispose();
    }

    private static string Describe(TrainingProgress p) =>
        FormattableString.Invariant($"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps} loss {p.Loss:0.0000} {p.SequencesPerSecond:0.0} seq/s");
}
