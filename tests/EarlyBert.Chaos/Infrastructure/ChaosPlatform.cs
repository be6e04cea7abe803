using EarlyBert.Tracker.Client.Authentication;
using Npgsql;

namespace EarlyBert.Chaos.Infrastructure;

/// <summary>
/// What the scenarios inject faults into: a PostgreSQL server of our own, a proxy in front of an S3 server we must
/// not stop, and the tracker as a child process using both, with an admin API key given through its environment.
/// </summary>
public sealed class ChaosPlatform : IAsyncDisposable
{
    private readonly string logDirectory;
    private readonly string s3;

    private ChaosPlatform(LocalPostgres postgres, TcpProxy s3Proxy, string s3, string logDirectory)
    {
        Postgres = postgres;
        S3Proxy = s3Proxy;
        this.s3 = s3;
        this.logDirectory = logDirectory;
    }

    /// <summary>The tracker's PostgreSQL server.</summary>
    public LocalPostgres Postgres { get; }

    /// <summary>The proxy between the tracker and S3.</summary>
    public TcpProxy S3Proxy { get; }

    /// <summary>The admin key the trackers are configured with (sent as <c>Authorization: Bearer</c>).</summary>
    public string ApiKey { get; } = TrackerApiKey.Generate();

    /// <summary>
    /// Whether the logs outlive the platform (set it when something failed); they are kept anyway when
    /// <c>EARLYBERT_KEEP_TEST_STATE</c> is set.
    /// </summary>
    public bool KeepLogs { get; set; }

    /// <summary>Where the servers' logs are.</summary>
    public string LogDirectory => logDirectory;

    /// <summary>
    /// Starts PostgreSQL and the proxy to the S3 server of <paramref name="s3ConnectionString"/>
    /// (<c>Endpoint=…;AccessKey=…;SecretKey=…</c>).
    /// </summary>
    public static async Task<ChaosPlatform> StartAsync(string s3ConnectionString, CancellationToken cancellationToken)
    {
        var logs = Directory.CreateTempSubdirectory("earlybert-chaos-logs.").FullName;
        var postgres = await LocalPostgres.CreateAsync(cancellationToken);
        var proxy = new TcpProxy(S3Endpoint(s3ConnectionString));
        return new ChaosPlatform(postgres, proxy, s3ConnectionString, logs);
    }

    /// <summary>
    /// A tracker (not yet started) on its own new database and bucket, reaching S3 through the proxy;
    /// <paramref name="settings"/> are further configuration values (<c>Tracker__HeartbeatTimeout</c>, …).
    /// </summary>
    public TrackerProcess NewTracker(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var database = $"chaos_{name}_{Guid.NewGuid():N}"[..Math.Min(name.Length + 14, 63)].Replace('-', '_');
        var proxied = string.Join(';', s3.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.StartsWith("Endpoint=", StringComparison.OrdinalIgnoreCase) ? $"Endpoint=http://127.0.0.1:{S3Proxy.Port}" : part));
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__tracker"] = $"{Postgres.ConnectionString};Database={database}",
            ["ConnectionStrings__artifacts"] = proxied,
            ["Artifacts__Bucket"] = $"chaos-{Guid.NewGuid():N}",
            ["Tracker__ApiKeys__chaos__Key"] = ApiKey,
            ["Tracker__ApiKeys__chaos__Scopes"] = "admin",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["OTEL_SDK_DISABLED"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return new TrackerProcess(environment, Path.Combine(logDirectory, $"tracker-{name}.log")) { Database = database };
    }

    /// <summary>An open connection to a tracker's database, for counting what was stored.</summary>
    public async Task<NpgsqlConnection> OpenDatabaseAsync(TrackerProcess tracker, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection($"{Postgres.ConnectionString};Database={tracker.Database};Pooling=false");
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static Uri S3Endpoint(string connectionString) =>
        new(connectionString.Split(';').Select(p => p.Split('=', 2)).Single(p => p[0].Trim().Equals("Endpoint", StringComparison.OrdinalIgnoreCase))[1]);

    /// <summary>Stops the proxy and PostgreSQL (trackers are stopped by whoever started them).</summary>
    public async ValueTask DisposeAsync()
    {
        await S3Proxy.DisposeAsync();
        await Postgres.DisposeAsync();
        if (!KeepLogs && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EARLYBERT_KEEP_TEST_STATE")))
        {
            Directory.Delete(logDirectory, recursive: true);
        }
    }
}
