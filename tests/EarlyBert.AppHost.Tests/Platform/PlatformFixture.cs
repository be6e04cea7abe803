using System.Diagnostics;
using Aspire.Hosting;
using EarlyBert.Tracker.Client.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EarlyBert.AppHost.Tests.Platform;

/// <summary>
/// The whole platform, started once through the AppHost in local-process mode (PostgreSQL and Ceph RGW from the
/// machine's binaries) with a fresh state folder and free ports, shared by the tests of the collection.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    /// <summary>How long start-up may take before the fixture gives up.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private static readonly string[] Services = ["tracker", "trainer", "web"];

    /// <summary>
    /// The platform's keys, given to the AppHost as its parameters' values (so nothing is generated into the AppHost's
    /// user secrets) and known here: every tracker client of the tests sends <see cref="AdminKey"/>, the trainer CLI
    /// <see cref="TrainerKey"/>. One platform per test process, so they are process-wide.
    /// </summary>
    public static string AdminKey { get; } = TrackerApiKey.Generate();

    /// <inheritdoc cref="AdminKey"/>
    public static string TrainerKey { get; } = TrackerApiKey.Generate();

    /// <inheritdoc cref="AdminKey"/>
    public static string WebKey { get; } = TrackerApiKey.Generate();

    /// <summary>Every key of the platform, for the checks that none leaks.</summary>
    public static IReadOnlyList<string> Keys => [AdminKey, TrainerKey, WebKey];

    /// <summary>The running application.</summary>
    public DistributedApplication App { get; private set; } = default!;

    /// <summary>Fresh state folder of this platform (PostgreSQL cluster, Ceph store).</summary>
    public string StateDirectory { get; } = LocalInfrastructure.CreateStateDirectory("earlybert-platform-");

    /// <summary>Time from building the AppHost to every service healthy.</summary>
    public TimeSpan StartUpTime { get; private set; }

    /// <summary>Process id of every executable and project the AppHost started, read while they run.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds { get; private set; } = new Dictionary<string, int>();

    /// <summary>Those processes and all their descendants (a project may run under a launcher process).</summary>
    public IReadOnlySet<int> ProcessTree { get; private set; } = new HashSet<int>();

    private readonly string[] appHostArguments;
    private bool running;

    public PlatformFixture()
    {
        appHostArguments =
        [
            .. LocalInfrastructure.Arguments(StateDirectory),
            // Tests queue their own runs; quick heartbeats and crash detection keep the fault tests short.
            "--Trainer:QueueQuickstart=false",
            "--Trainer:RunHeartbeatInterval=00:00:01",
            "--Trainer:PollInterval=00:00:00.500",
            "--Tracker:HeartbeatTimeout=00:00:30",
            "--Tracker:CrashSweepInterval=00:00:01",
            // Arguments of this test process's in-memory AppHost, not of any started process.
            $"--Parameters:tracker-admin-key={AdminKey[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:trainer-api-key={TrainerKey[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:web-api-key={WebKey[TrackerApiKey.Prefix.Length..]}",
        ];
    }

    public Task InitializeAsync() => StartAsync();

    /// <summary>
    /// Starts the AppHost (again, after <see cref="StopAndFindLeftoversAsync"/>: same state folder and ports) and
    /// waits until every service is healthy.
    /// </summary>
    public async Task StartAsync()
    {
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        using var timeout = new CancellationTokenSource(StartTimeout);
        var clock = Stopwatch.StartNew();

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.EarlyBert_AppHost>(
            appHostArguments, (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            // Failing health checks and servers' stderr are expected while the platform starts.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("EarlyBert.AppHost.Resources", LogLevel.Error));

        App = await builder.BuildAsync(timeout.Token);
        running = true;
        await App.StartAsync(timeout.Token);
        foreach (var service in Services)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }

        StartUpTime = clock.Elapsed;
        ProcessIds = ReadProcessIds();
        ProcessTree = Descendants(ProcessIds.Values);
    }

    /// <summary>An HttpClient for the tracker that sends the admin key.</summary>
    public HttpClient CreateTrackerHttpClient()
    {
        var http = App.CreateHttpClient("tracker");
        TrackerApiKey.Apply(http, AdminKey);
        return http;
    }

    /// <summary>Starts the platform again if a test stopped it (the collection shares one platform).</summary>
    public async Task EnsureStartedAsync()
    {
        if (!running)
        {
            await StartAsync();
        }
    }

    /// <summary>
    /// Stops the platform and returns what is still running afterwards: processes the AppHost started, and any
    /// process whose command line names this platform's state folder.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAndFindLeftoversAsync()
    {
        running = false;
        await App.StopAsync();
        await App.DisposeAsync();

        // DCP ends processes asynchronously; give them a moment before calling anything an orphan.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<string> leftovers;
        do
        {
            leftovers = FindLeftovers();
            if (leftovers.Count == 0)
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);

        return leftovers;
    }

    public async Task DisposeAsync()
    {
        if (running)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process that outlived the platform still writes there; the leftover check reports it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Dictionary<string, int> ReadProcessIds()
    {
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        var ids = new Dictionary<string, int>();
        foreach (var resource in model.Resources)
        {
            if (App.ResourceNotifications.TryGetCurrentState(resource.Name, out var state)
                && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
                && int.TryParse(value.ToString(), out var pid))
            {
                ids[resource.Name] = pid;
            }
        }

        return ids;
    }

    private List<string> FindLeftovers()
    {
        var leftovers = new List<string>();
        foreach (var pid in ProcessTree)
        {
            if (IsAlive(pid))
            {
                var name = ProcessIds.FirstOrDefault(entry => entry.Value == pid).Key ?? "child";
                leftovers.Add($"{name} (pid {pid}): {ReadCommandLine(pid)}");
            }
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            var commandLine = ReadCommandLine(pid);
            if (commandLine.Contains(StateDirectory, StringComparison.Ordinal) && IsAlive(pid))
            {
                leftovers.Add($"pid {pid}: {commandLine}");
            }
        }

        return leftovers.Distinct().ToList();
    }

    /// <summary>The command line of <paramref name="pid"/> (empty once it has ended).</summary>
    public static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return ""; // The process ended while we looked.
        }
    }

    private static HashSet<int> Descendants(IEnumerable<int> roots)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var pid))
            {
                try
                {
                    // Field 4 of /proc/PID/stat, after the parenthesised command name (which may hold spaces).
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                }
            }
        }

        var tree = new HashSet<int>(roots);
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);

        return tree;
    }

    private static bool IsAlive(int pid)
    {
        // A zombie has ended; only its parent has not collected it yet.
        var status = $"/proc/{pid}/status";
        try
        {
            return File.Exists(status) && !File.ReadAllLines(status).Any(line => line.StartsWith("State:", StringComparison.Ordinal) && line.Contains('Z'));
        }
        catch (IOException)
        {
            return false;
        }
    }


}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "Platform";
}
