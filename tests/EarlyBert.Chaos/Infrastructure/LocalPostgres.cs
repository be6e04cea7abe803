using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>
/// A PostgreSQL server of this program's own (the AppHost's postgres.sh on a free port and a temporary folder), so
/// that it can be stopped and started during ingest without touching anybody else's server.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string stateDirectory;
    private readonly string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private Process? server;

    private LocalPostgres(string stateDirectory, int port)
    {
        this.stateDirectory = stateDirectory;
        Port = port;
    }

    /// <summary>The port it listens on (the same after every restart).</summary>
    public int Port { get; }

    /// <summary>Connection string to the server, without a database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={password}";

    /// <summary>Whether the server is running now.</summary>
    public bool IsRunning => server is { HasExited: false };

    /// <summary>Creates a cluster in a new temporary folder and starts it.</summary>
    public static async Task<LocalPostgres> CreateAsync(CancellationToken cancellationToken)
    {
        var state = Directory.CreateTempSubdirectory("earlybert-chaos-pg.").FullName;
        // postgres.sh runs the server as the postgres user when we are root: it must reach the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(state, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        var postgres = new LocalPostgres(state, FreePort.Next());
        await postgres.StartServerAsync(cancellationToken);
        return postgres;
    }

    /// <summary>Fast shutdown (<c>pg_ctl stop -m fast</c>: SIGINT to the postmaster): sessions are ended, clients see their connections closed.</summary>
    public async Task StopAsync()
    {
        if (server is not { HasExited: false } running)
        {
            return;
        }

        await ChildProcess.SignalAsync(running, "INT");
        await ChildProcess.WaitOrKillAsync(running, TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the stopped server again on the same port and data.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => StartServerAsync(cancellationToken);

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var log = Path.Combine(stateDirectory, "postgres.log");
        server = ChildProcess.Start(
            "bash",
            [Path.Combine(BuildPaths.Scripts, "postgres.sh"), stateDirectory, Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["EARLYBERT_POSTGRES_PASSWORD"] = password },
            log);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with {server.ExitCode}:\n{ChildProcess.Tail(log)}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString + ";Database=postgres;Pooling=false;Timeout=2");
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
