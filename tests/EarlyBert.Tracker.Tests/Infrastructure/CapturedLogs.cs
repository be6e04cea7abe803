using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Tracker.Tests.Infrastructure;

/// <summary>
/// A logger provider that keeps every log entry as text (message, structured values, exception), at every level, so
/// that a test can assert what the tracker never logs.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> entries = new();

    /// <summary>Every entry so far, in order.</summary>
    public IReadOnlyList<string> Entries => [.. entries];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (name, value) in values)
                {
                    text.Append(" |").Append(name).Append('=').Append(value);
                }
            }

            if (exception is not null)
            {
                text.Append('\n').Append(exception);
            }

            entries.Enqueue(text.ToString());
        }
    }
}
