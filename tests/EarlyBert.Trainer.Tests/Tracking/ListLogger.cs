namespace EarlyBert.Trainer.Tests.Tracking;

/// <summary>Keeps formatted log lines so that tests can check what a component reported.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly Lock gate = new();
    private readonly List<(LogLevel Level, string Message)> lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (gate)
            {
                return lines.ToList();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (gate)
        {
            lines.Add((logLevel, formatter(state, exception)));
        }
    }

    public IEnumerable<string> At(LogLevel level) => Lines.Where(line => line.Level == level).Select(line => line.Message);
}
