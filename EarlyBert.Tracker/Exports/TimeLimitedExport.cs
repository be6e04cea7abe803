using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Exports;

/// <summary>
/// Runs a streamed export under <see cref="ExportOptions.TimeLimit"/>. When the limit passes, the export's reads
/// and writes are cancelled and the connection is aborted, so the client sees a broken download (never a CSV that
/// looks complete but is cut short) and the database connection the export held goes back to the pool even when the
/// client has stopped reading and a write is waiting for it.
/// </summary>
internal static class TimeLimitedExport
{
    public static async Task RunAsync(HttpContext context, string export, Func<CancellationToken, Task> write)
    {
        var services = context.RequestServices;
        var limit = services.GetRequiredService<IOptions<ExportOptions>>().Value.TimeLimit;
        using var timer = new CancellationTokenSource(limit, services.GetRequiredService<TimeProvider>());
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, timer.Token);
        await using var abortWhenLate = timer.Token.Register(() =>
        {
            services.GetRequiredService<ILogger<ExportOptions>>()
                .LogWarning("The {Export} export to {Client} ran past its time limit of {Limit}; the connection is closed",
                    export, context.Connection.RemoteIpAddress, limit);
            context.Abort();
        });
        try
        {
            await write(linked.Token);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            // Already logged and aborted; nothing more can be sent.
        }
    }
}
