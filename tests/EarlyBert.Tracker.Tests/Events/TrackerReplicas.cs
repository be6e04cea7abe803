using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Events;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Events;

/// <summary>
/// More tracker replicas in-process: each a host of its own (own services, connections, listener and crash
/// detector) on the fixture's database, bucket and clock, as replicas behind a load balancer share them.
/// </summary>
public static class TrackerReplicas
{
    /// <summary>A further replica of <paramref name="tracker"/>, with extra settings when given.</summary>
    public static WebApplicationFactory<Program> Replica(this TrackerAppFactory tracker, IReadOnlyDictionary<string, string>? settings = null) =>
        tracker.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }
        });

    /// <summary>A typed client of one replica (every test client of these tests is made here).</summary>
    public static TrackerClient ClientOf(WebApplicationFactory<Program> replica) => new(replica.CreateClient());

    /// <summary>Waits until the replica's listener has its <c>LISTEN</c> connection up.</summary>
    public static async Task WaitUntilListeningAsync(WebApplicationFactory<Program> replica)
    {
        var listener = replica.Services.GetRequiredService<RunEventListener>();
        await WaitUntilAsync(() => Task.FromResult(listener.IsListening), "the replica listens for run events");
    }

    /// <summary>Ends every backend of this database whose <c>application_name</c> is <paramref name="applicationName"/>.</summary>
    public static async Task<long> TerminateConnectionsAsync(this TrackerAppFactory tracker, string applicationName) =>
        await tracker.CountAsync(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
            applicationName);

    /// <summary>Polls <paramref name="condition"/> for up to 30 s of real time.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, Action? eachTry = null)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await condition())
            {
                return;
            }

            eachTry?.Invoke();
            await Task.Delay(100);
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }
}
