using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>Logging for the command-line tools: to standard error, so standard output carries only results.</summary>
internal static class CommandLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Information)
        .AddSimpleConsole(options => options.SingleLine = true)
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace));
}
