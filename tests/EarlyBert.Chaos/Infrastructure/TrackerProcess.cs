using System.Diagnostics;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>
/// The built tracker (<c>dotnet EarlyBert.Tracker.dll</c>) as a child process on a fixed port, so that it can be
/// SIGKILLed and started again at the same address while clients keep retrying.
/// </summary>
public sealed class TrackerProcess(IReadOnlyDictionary<string, string> environment, string logPath) : IAsyncDisposable
{
    private Process? process;

    /// <summary>Its output (several starts append to one file).</summary>
    public string LogPath => logPath;

    /// <summary>Name of its database.</summary>
    public required string Database { get; init; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; } = FreePort.Next();

    /// <summary>Its base address.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary>The process id of the running tracker (to show that it was not restarted).</summary>
    public int? ProcessId => process is { HasExited: false } running ? running.Id : null;

    /// <summary>Starts it and waits until <c>/health</c> answers 200 (migrations applied, bucket there).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var dll = BuildPaths.TrackerDll;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The tracker is not built at {dll}: build EarlyBert.Tracker first.");
        }

        var variables = new Dictionary<string, string>(environment)
        {
            ["ASPNETCORE_URLS"] = BaseAddress.ToString().TrimEnd('/'),
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        process = ChildProcess.Start("dotnet", [dll], variables, logPath, Path.GetDirectoryName(dll));
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The tracker exited with {process.ExitCode}:\n{ChildProcess.Tail(logPath)}");
            }

            try
            {
                using var response = await http.GetAsync("health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(120))
            {
                throw new TimeoutException($"The tracker was not healthy within 120 s:\n{ChildProcess.Tail(logPath)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, open requests and transactions are cut where they are.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }
    }

    /// <summary>Whether it is running.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>Stops it (SIGTERM, then SIGKILL after 10 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false } running)
        {
            await ChildProcess.SignalAsync(running, "TERM");
            await ChildProcess.WaitOrKillAsync(running, TimeSpan.FromSeconds(10));
        }

        process?.Dispose();
    }
}
