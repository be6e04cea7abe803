namespace EarlyBert.Web.Components.Shared;

/// <summary>
/// Runs an action at most once per interval however often it is requested, and always once more after the last
/// request: a run logging ten metric batches a second re-queries its charts once a second, and the last points
/// logged are always drawn.
/// </summary>
public sealed class RefreshThrottle : IDisposable
{
    private readonly TimeSpan interval;
    private readonly TimeProvider time;
    private readonly Func<Task> action;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private DateTimeOffset lastStart = DateTimeOffset.MinValue;
    private bool scheduled;
    private bool running;
    private bool requestedWhileRunning;
    private ITimer? timer;
    private bool disposed;

    /// <summary>A throttle that runs <paramref name="action"/> at most once per <paramref name="interval"/>.</summary>
    public RefreshThrottle(TimeSpan interval, TimeProvider time, Func<Task> action, ILogger logger)
    {
        this.interval = interval;
        this.time = time;
        this.action = action;
        this.logger = logger;
    }

    /// <summary>Asks for the action to run: now if it has not run within the interval, else when the interval is over.</summary>
    public void Request()
    {
        TimeSpan due;
        lock (gate)
        {
            if (disposed || scheduled)
            {
                return;
            }

            if (running)
            {
                // Data that arrived during a refresh may be missing from it: one more run after it ends.
                requestedWhileRunning = true;
                return;
            }

            scheduled = true;
            due = lastStart + interval - time.GetUtcNow();
            if (due > TimeSpan.Zero)
            {
                timer?.Dispose();
                timer = time.CreateTimer(_ => _ = RunAsync(), null, due, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            scheduled = false;
            running = true;
            lastStart = time.GetUtcNow();
        }

        try
        {
            await action();
        }
        catch (Exception exception)
        {
            // A failed refresh leaves the last data on screen; the next request tries again.
            logger.LogWarning(exception, "A throttled refresh failed");
        }

        bool again;
        lock (gate)
        {
            running = false;
            again = requestedWhileRunning;
            requestedWhileRunning = false;
        }

        if (again)
        {
            Request();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            timer?.Dispose();
        }
    }
}
