using System.Globalization;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Runs;

/// <summary>
/// Logs to the process's logger and to the run's <c>training.log</c> (stored as an artifact), so the log of a run
/// stays with its record after the worker's console is gone.
/// </summary>
internal sealed class TeeLogger(ILogger inner, string file, TimeProvider time) : ILogger, IDisposable
{
    private readonly StreamWriter writer = new(new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    private readonly Lock gate = new();

    /// <summary>The log file.</summary>
    public string File => file;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        inner.Log(logLevel, eventId, state, exception, formatter);
        if (logLevel < LogLevel.Information) return;
        var line = string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {logLevel,-11} {formatter(state, exception)}");
        lock (gate)
        {
            writer.WriteLine(line);
            if (exception is not null) writer.WriteLine(exception.ToString());
        }
    }

    public void Dispose() => writer.Dispose();
}
