using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace EarlyBert.Tracker.Tests.Events;

/// <summary>
/// Caps on live-update subscribers, over real sockets (Kestrel): a client is its remote address, and a test client
/// takes another address of the loopback network (127.0.0.2, …) by binding its socket to it.
/// </summary>
public sealed class EventStreamCapsTests(TrackerAppFactory tracker, ITestOutputHelper output) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Stream_beyond_the_per_client_cap_is_refused_with_429_while_another_client_is_admitted()
    {
        await using var server = StartKestrel(new() { ["Tracker:MaxEventSubscribersPerClient"] = "2", ["Tracker:MaxEventSubscribers"] = "10" });
        using var first = Http(server, "127.0.0.2");
        using var other = Http(server, "127.0.0.3");
        using var a = await OpenStreamAsync(first);
        using var b = await OpenStreamAsync(first);

        using var refused = await OpenStreamAsync(first);
        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("Tracker:MaxEventSubscribersPerClient", problem.GetProperty("detail").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        using var admitted = await OpenStreamAsync(other);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);

        // A closed stream frees its slot.
        a.Dispose();
        await TrackerReplicas.WaitUntilAsync(async () =>
        {
            using var again = await OpenStreamAsync(first);
            return again.StatusCode == HttpStatusCode.OK;
        }, "a slot is free again");
    }

    [Fact]
    public async Task Stream_beyond_the_total_cap_is_refused_with_503()
    {
        await using var server = StartKestrel(new() { ["Tracker:MaxEventSubscribersPerClient"] = "5", ["Tracker:MaxEventSubscribers"] = "3" });
        var clients = new[] { "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5" }.Select(address => Http(server, address)).ToList();
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await OpenStreamAsync(clients[i]));
                Assert.Equal(HttpStatusCode.OK, open[^1].StatusCode);
            }

            using var refused = await OpenStreamAsync(clients[3]);
            var problem = await refused.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("Tracker:MaxEventSubscribers", problem.GetProperty("detail").GetString());
        }
        finally
        {
            open.ForEach(response => response.Dispose());
            clients.ForEach(client => client.Dispose());
        }
    }

    [Fact]
    public async Task Thousand_idle_subscribers_leave_health_and_batch_writes_answering_quickly()
    {
        const int subscribers = 1_000;
        await using var server = StartKestrel(new() { ["Tracker:MaxEventSubscribersPerClient"] = "2000", ["Tracker:MaxEventSubscribers"] = "2000" });
        using var http = Http(server, "127.0.0.2");
        var client = new TrackerClient(Http(server, "127.0.0.3"));
        var experiment = $"exp-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        var run = await client.CreateRunAsync(new CreateRun(experiment, null, RunStatuses.Running), CancellationToken.None);

        var baseline = await MeasureAsync(client, run.Id, http, firstStep: 0);
        var streams = new List<HttpResponseMessage>();
        try
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < subscribers; i += 100)
            {
                streams.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(j => OpenStreamAsync(http, (i + j) % 2 == 0 ? run.Id : null))));
            }

            Assert.All(streams, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
            output.WriteLine($"{subscribers} streams open in {clock.ElapsedMilliseconds} ms; thread pool: {ThreadPool.ThreadCount} threads");
            var loaded = await MeasureAsync(client, run.Id, http, firstStep: 1_000);
            output.WriteLine($"health p95 {baseline.Health:0.0} -> {loaded.Health:0.0} ms; batch p95 {baseline.Batch:0.0} -> {loaded.Batch:0.0} ms");

            // Idle streams wait on channels, not threads: the pool stays small, and nobody waits behind them.
            Assert.InRange(ThreadPool.ThreadCount, 1, 200);
            Assert.InRange(loaded.Health, 0, 500);
            Assert.InRange(loaded.Batch, 0, 1_000);
        }
        finally
        {
            streams.ForEach(response => response.Dispose());
        }
    }

    /// <summary>95th percentile of 40 /health calls and of 40 one-point batches, in milliseconds.</summary>
    private static async Task<(double Health, double Batch)> MeasureAsync(TrackerClient client, Guid runId, HttpClient http, long firstStep)
    {
        var health = new List<double>();
        var batch = new List<double>();
        for (var i = 0; i < 40; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var response = await http.GetAsync("/health"))
            {
                response.EnsureSuccessStatusCode();
            }

            health.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            await client.LogBatchAsync(runId, new RunBatch(Guid.NewGuid(), [new MetricPoint("loss", firstStep + i, 1.0 / (i + 1))]), CancellationToken.None);
            batch.Add(clock.Elapsed.TotalMilliseconds);
        }

        return (Percentile95(health), Percentile95(batch));
    }

    private static double Percentile95(List<double> values) => values.Order().ElementAt((int)(values.Count * 0.95) - 1);

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient http, Guid? runId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, runId is null ? "/api/events" : $"/api/runs/{runId}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private WebApplicationFactory<Program> StartKestrel(Dictionary<string, string> settings)
    {
        var server = tracker.Replica(settings);
        server.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        server.StartServer();
        return server;
    }

    /// <summary>An HTTP client of <paramref name="server"/> whose connections come from <paramref name="localAddress"/>.</summary>
    private HttpClient Http(WebApplicationFactory<Program> server, string localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(localAddress), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var http = new HttpClient(handler) { BaseAddress = server.ClientOptions.BaseAddress };
        TrackerApiKey.Apply(http, tracker.AdminKey);
        return http;
    }
}
