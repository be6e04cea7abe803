using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using EarlyBert.Chaos.Infrastructure;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// (e) Many idle live-update subscribers and a CSV reader that takes a byte at a time, while <c>/health</c> and
/// batch writes are timed (against the same requests before the load). Exports run under a 5 s time limit here, so
/// the slow reader should be cut off after about 5 s.
/// </summary>
public static class LoadScenario
{
    /// <summary>Runs the scenario on a tracker of its own.</summary>
    public static async Task<Tally> RunAsync(ChaosPlatform platform, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var tally = new Tally($"{settings.Subscribers} idle SSE subscribers and a slow CSV reader");
        await using var tracker = platform.NewTracker("load", new Dictionary<string, string> { ["Tracker__Exports__TimeLimit"] = "00:00:05" });
        await tracker.StartAsync(cancellationToken);
        using var client = new ChaosClient(tracker.BaseAddress, platform.ApiKey, tally);
        var runs = await client.CreateRunsAsync($"chaos-load-{Guid.NewGuid():N}"[..24], 2, cancellationToken);

        // A series big enough (about 4 MB of CSV) that the slow reader's download cannot sit in socket buffers.
        var bulk = new MetricWriters(client, tally, runs[..1], 50, 2000);
        await bulk.RunAsync(TimeSpan.Zero, cancellationToken);
        await TimeAsync(client, tally, runs[1], "idle", 0, cancellationToken);

        using var subscribers = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = tracker.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        subscribers.DefaultRequestHeaders.Authorization = new("Bearer", platform.ApiKey);
        var open = new List<HttpResponseMessage>();
        var refused = new Dictionary<int, int>();
        var watch = Stopwatch.StartNew();
        foreach (var chunk in Enumerable.Range(0, settings.Subscribers).Chunk(50))
        {
            var answers = await Task.WhenAll(chunk.Select(_ => SubscribeAsync(subscribers, cancellationToken)));
            foreach (var answer in answers)
            {
                if (answer is { IsSuccessStatusCode: true })
                {
                    open.Add(answer);
                    continue;
                }

                var status = answer is null ? 0 : (int)answer.StatusCode;
                refused[status] = refused.GetValueOrDefault(status) + 1;
                if (status >= 500 && status != 503)
                {
                    tally.ServerError(status, "GET /api/events");
                }

                answer?.Dispose();
            }
        }

        tally.Note($"subscribers: {open.Count} open, refused {(refused.Count == 0 ? "none" : string.Join(", ", refused.Select(r => $"{r.Value}×{(r.Key == 0 ? "no answer" : r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}")))} (opened in {watch.Elapsed.TotalSeconds:0.0} s)");

        var slowReader = SlowReadAsync(tracker, platform.ApiKey, runs[0], cancellationToken);
        await TimeAsync(client, tally, runs[1], "under load", 1000, cancellationToken);
        var (cut, bytes) = await slowReader;
        tally.Note(cut
            ? $"slow CSV reader (a byte per 10 ms for 8 s): cut off by the 5 s export limit, {bytes} bytes of the export read"
            : $"slow CSV reader: the whole export arrived ({bytes} bytes), it was not cut off");
        if (!cut)
        {
            tally.Fail("The slow CSV reader was not cut off by the export time limit.");
        }

        if (cut && !ChildProcess.Tail(tracker.LogPath, 100_000).Contains("ran past its time limit", StringComparison.Ordinal))
        {
            tally.Note("the tracker did not log its export time limit: the reader was cut off by something else (Kestrel's minimum data rate?)");
        }

        foreach (var response in open)
        {
            response.Dispose();
        }

        await using var database = await platform.OpenDatabaseAsync(tracker, cancellationToken);
        await bulk.VerifyAsync(database, cancellationToken);

        return tally;
    }

    // /health and batch writes, 20 each, timed under the given name.
    private static async Task TimeAsync(ChaosClient client, Tally tally, Guid run, string phase, int firstBatch, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 20; i++)
        {
            using (var health = await client.TrySendAsync(() => new HttpRequestMessage(HttpMethod.Get, "health"), $"/health {phase}", cancellationToken))
            {
                if (health is not { IsSuccessStatusCode: true })
                {
                    tally.Fail($"/health {phase}: {(health is null ? "no answer or 5xx" : (int)health.StatusCode)}");
                }
            }

            var body = new { batchId = Guid.NewGuid(), metrics = Enumerable.Range(0, 250).Select(s => new { key = "load", step = ((firstBatch + i) * 250L) + s, value = 1.0 }).ToArray() };
            using var batch = await client.TrySendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"api/runs/{run}/batch") { Content = JsonContent.Create(body, options: ChaosClient.Json) }, $"batch {phase}", cancellationToken);
            if (batch is not { IsSuccessStatusCode: true })
            {
                tally.Fail($"batch {phase}: {(batch is null ? "no answer or 5xx" : (int)batch.StatusCode)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task<HttpResponseMessage?> SubscribeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            return await http.GetAsync("api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    // Reads the series export a byte every 10 ms through a small receive buffer for 8 s (past the 5 s limit),
    // then drains what is left at full speed: a download the tracker cut ends without the final empty chunk.
    private static async Task<(bool Cut, long Bytes)> SlowReadAsync(TrackerProcess tracker, string apiKey, Guid run, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, tracker.Port, cancellationToken);
        var request = $"GET /api/runs/{run}/metrics/series.csv?key=chaos%2Floss HTTP/1.1\r\nHost: 127.0.0.1:{tracker.Port}\r\nAuthorization: Bearer {apiKey}\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
        var watch = Stopwatch.StartNew();
        var buffer = new byte[64 * 1024];
        var tail = new List<byte>();
        long bytes = 0;
        try
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(40))
            {
                var slow = watch.Elapsed < TimeSpan.FromSeconds(8);
                var read = await socket.ReceiveAsync(slow ? buffer.AsMemory(0, 1) : buffer, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                bytes += read;
                tail.AddRange(buffer.AsSpan(0, read));
                if (tail.Count > 16)
                {
                    tail.RemoveRange(0, tail.Count - 16);
                }

                if (slow)
                {
                    await Task.Delay(10, cancellationToken);
                }
            }
        }
        catch (SocketException)
        {
            return (true, bytes);
        }

        return (!Encoding.ASCII.GetString([.. tail]).EndsWith("0\r\n\r\n", StringComparison.Ordinal), bytes);
    }
}
