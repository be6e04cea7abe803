namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// Wakes a waiting loop when something happened. The loop arms it before looking for work, so that anything
/// signalled after the look, however soon, completes the armed task: no wake-up is lost between look and wait.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource source = Create();

    /// <summary>A task that completes at the next <see cref="Set"/>.</summary>
    public Task Arm()
    {
        var current = Volatile.Read(ref source);
        if (!current.Task.IsCompleted)
        {
            return current.Task;
        }

        var fresh = Create();
        var seen = Interlocked.CompareExchange(ref source, fresh, current);
        return (seen == current ? fresh : seen).Task;
    }

    /// <summary>Completes the armed task.</summary>
    public void Set() => Volatile.Read(ref source).TrySetResult();

    private static TaskCompletionSource Create() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
