using System.Threading.Channels;
using Aspire.Hosting;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using Npgsql;
using Xunit.Abstractions;

namespace EarlyBert.AppHost.Tests.Platform;

/// <summary>
/// The platform with two tracker replicas behind Aspire's proxy (<c>Tracker:Replicas=2</c>), each reached directly
/// at its own address: live events cross from one to the other through PostgreSQL, and one replica sweeps for crashes.
/// </summary>
[Collection(TwoTrackerReplicasCollection.Name)]
public sealed class TwoTrackerReplicasTests(TwoTrackerReplicasFixture platform, ITestOutputHelper output) : IClassFixture<TwoTrackerReplicasFixture>
{
    [Fact]
    public async Task Subscriber_on_one_replica_sees_a_batch_written_through_the_other_and_one_replica_marks_a_silent_run_crashed()
    {
        var replicas = await platform.ReplicaAddressesAsync();
        output.WriteLine($"Tracker replicas: {string.Join(", ", replicas)}");
        Assert.Equal(2, replicas.Count);
        var first = Client(replicas[0]);
        var second = Client(replicas[1]);
        var experiment = $"replicas-{Guid.NewGuid():N}";
        await second.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        var run = await second.CreateRunAsync(new CreateRun(experiment, null, RunStatuses.Running), CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var onFirst = await WatchAsync(first, run.Id, timeout.Token);
        var onSecond = await WatchAsync(second, run.Id, timeout.Token);

        await second.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", 0, 0.25)]), CancellationToken.None);
        var metrics = await NextOfTypeAsync(onFirst, RunEvent.MetricsLogged, timeout.Token);
        Assert.Equal((RunEvent.MetricsLogged, run.Id, 0.25), (metrics.Type, metrics.RunId, Assert.Single(metrics.Metrics!).Value));

        // Nobody beats for the run: past the heartbeat timeout it is marked crashed, once, and both replicas say so.
        var crashedOnFirst = await NextStatusAsync(onFirst, timeout.Token);
        var crashedOnSecond = await NextStatusAsync(onSecond, timeout.Token);
        Assert.Equal((RunStatuses.Crashed, RunStatuses.Crashed), (crashedOnFirst.Status, crashedOnSecond.Status));
        var stored = await first.GetRunAsync(run.Id, CancellationToken.None);
        Assert.Equal(RunStatuses.Crashed, stored.Status);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(stored.StatusReason!, "no heartbeat"));

        // Both replicas run a detector on a connection of its own; exactly one of them holds the lock.
        await using var database = new NpgsqlConnection(await platform.App.GetConnectionStringAsync("postgres"));
        await database.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*), count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted))
            FROM pg_stat_activity a WHERE a.datname = current_database() AND a.application_name = 'earlybert-crash-detector'
            """, database);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((2L, 1L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    /// <summary>A typed client of one replica (every HTTP client of this test is made here).</summary>
    private static TrackerClient Client(Uri replica)
    {
        var http = new HttpClient { BaseAddress = replica };
        TrackerApiKey.Apply(http, PlatformFixture.AdminKey);
        return new TrackerClient(http);
    }

    private static Task<RunEvent> NextStatusAsync(ChannelReader<RunEvent> events, CancellationToken cancellationToken) =>
        NextOfTypeAsync(events, RunEvent.StatusChanged, cancellationToken);

    /// <summary>The next event of <paramref name="type"/>, past others (a replica whose listener was just connecting sends a resync).</summary>
    private static async Task<RunEvent> NextOfTypeAsync(ChannelReader<RunEvent> events, string type, CancellationToken cancellationToken)
    {
        while (true)
        {
            var runEvent = await events.ReadAsync(cancellationToken);
            if (runEvent.Type == type)
            {
                return runEvent;
            }
        }
    }

    private static async Task<ChannelReader<RunEvent>> WatchAsync(TrackerClient client, Guid runId, CancellationToken cancellationToken)
    {
        var received = Channel.CreateUnbounded<RunEvent>();
        var ready = new TaskCompletionSource();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var runEvent in client.WatchEventsAsync(runId, cancellationToken))
                {
                    if (runEvent.Type == "ready")
                    {
                        ready.TrySetResult();
                    }
                    else
                    {
                        await received.Writer.WriteAsync(runEvent, cancellationToken);
                    }
                }
            }
            catch (Exception exception)
            {
                ready.TrySetException(exception);
                received.Writer.TryComplete(exception);
            }
        }, cancellationToken);
        await ready.Task.WaitAsync(cancellationToken);
        return received.Reader;
    }
}

/// <summary>The platform in local-process mode (database resource <c>postgres</c>) with <c>Tracker:Replicas=2</c> and a short heartbeat timeout.</summary>
public sealed class TwoTrackerReplicasFixture : IAsyncLifetime
{
    private readonly string stateDirectory = LocalInfrastructure.CreateStateDirectory("earlybert-replicas-");

    /// <summary>The running application.</summary>
    public DistributedApplication App { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        Environment.SetEnvironmentVariable("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
        using var timeout = new CancellationTokenSource(PlatformFixture.StartTimeout);
        string[] arguments =
        [
            .. LocalInfrastructure.Arguments(stateDirectory),
            "--Tracker:Replicas=2",
            "--Tracker:HeartbeatTimeout=00:00:05",
            "--Tracker:CrashSweepInterval=00:00:01",
            "--Trainer:QueueQuickstart=false",
            // Ports of the proxies chosen at random, so this platform never meets another on 5100, 5180 or 5190.
            "--DcpPublisher:RandomizePorts=true",
            // The same keys as the shared platform's (arguments of this in-memory AppHost, not of a started process).
            $"--Parameters:tracker-admin-key={PlatformFixture.AdminKey[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:trainer-api-key={PlatformFixture.TrainerKey[TrackerApiKey.Prefix.Length..]}",
            $"--Parameters:web-api-key={PlatformFixture.WebKey[TrackerApiKey.Prefix.Length..]}",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.EarlyBert_AppHost>(
            arguments, (options, _) => options.DisableDashboard = true, timeout.Token);
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("tracker", timeout.Token);
    }

    /// <summary>Each tracker replica's own address (not the proxy's), once both replicas are healthy.</summary>
    public async Task<IReadOnlyList<Uri>> ReplicaAddressesAsync()
    {
        using var timeout = new CancellationTokenSource(PlatformFixture.StartTimeout);
        var replicas = new Dictionary<string, Uri>();
        await foreach (var change in App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (change.Resource.Name == "tracker" && change.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                && change.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { } urls)
            {
                replicas[change.ResourceId] = new Uri(urls.Split(';').First(u => u.StartsWith("http://", StringComparison.Ordinal)));
                if (replicas.Count == 2)
                {
                    break;
                }
            }
        }

        return replicas.Values.ToList();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }


}

/// <summary>Runs alone: a second whole platform beside the shared one would starve both on a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TwoTrackerReplicasCollection
{
    public const string Name = "Two tracker replicas";
}
