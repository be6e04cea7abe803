using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EarlyBert.Chaos.Infrastructure;
using Npgsql;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// (c) S3 cut (the proxy resets every connection) while an artifact is being uploaded: the answer is 503
/// ProblemDetails, no artifact row is written; once S3 is back the same upload succeeds and reads back intact.
/// </summary>
public static class S3OutageScenario
{
    private const int UploadBytes = 2 * 1024 * 1024;

    /// <summary>Runs the scenario on a tracker of its own.</summary>
    public static async Task<Tally> RunAsync(ChaosPlatform platform, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var tally = new Tally("S3 cut during an artifact upload");
        await using var tracker = platform.NewTracker("s3");
        await tracker.StartAsync(cancellationToken);
        using var client = new ChaosClient(tracker.BaseAddress, platform.ApiKey, tally);
        var run = (await client.CreateRunsAsync($"chaos-s3-{Guid.NewGuid():N}"[..24], 1, cancellationToken))[0];
        var bytes = RandomNumberGenerator.GetBytes(UploadBytes);
        await using var database = await platform.OpenDatabaseAsync(tracker, cancellationToken);

        for (var fault = 0; fault < Math.Max(1, settings.Faults); fault++)
        {
            var path = $"model/weights-{fault}.bin";
            // The upload sends half its bytes, S3 goes away, then it sends the rest.
            var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var upload = SendAsync(client, tally, run, path, new PausingContent(bytes, halfSent, release.Task), cancellationToken);
            await halfSent.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            tally.OutageBegins();
            platform.S3Proxy.Cut();
            tally.Fault();
            release.SetResult();
            var during = await upload;
            if (during != HttpStatusCode.ServiceUnavailable)
            {
                tally.Fail($"An upload during the S3 outage was answered {(int?)during} ({during?.ToString() ?? "no answer"}), not 503.");
            }

            // Another upload while S3 is still down: 503 at once.
            var later = await SendAsync(client, tally, run, path, new ByteArrayContent(bytes[..1024]), cancellationToken);
            if (later != HttpStatusCode.ServiceUnavailable)
            {
                tally.Fail($"An upload while S3 was down was answered {(int?)later} ({later?.ToString() ?? "no answer"}), not 503.");
            }

            if (await CountRowsAsync(database, run, path, cancellationToken) != 0)
            {
                tally.Fail($"The failed upload of {path} left an artifact row.");
            }

            await Task.Delay(settings.Down, cancellationToken);
            platform.S3Proxy.Restore();
            tally.OutageEnds(TimeSpan.FromSeconds(5));

            // Back: the same upload, retried, succeeds and reads back byte for byte.
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using (var response = await client.SendWithRetriesAsync(
                       () => new HttpRequestMessage(HttpMethod.Put, $"api/runs/{run}/artifacts/content?path={Uri.EscapeDataString(path)}") { Content = Octets(bytes) },
                       "artifact upload", TimeSpan.FromSeconds(60), cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                {
                    tally.Fail($"The upload after S3 returned was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }
            }

            tally.Latency("upload after S3 returned", watch.Elapsed);
            using var download = await client.SendWithRetriesAsync(
                () => new HttpRequestMessage(HttpMethod.Get, $"api/runs/{run}/artifacts/content?path={Uri.EscapeDataString(path)}"), "artifact download", TimeSpan.FromSeconds(60), cancellationToken);
            var read = await download.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!download.IsSuccessStatusCode || !read.AsSpan().SequenceEqual(bytes))
            {
                tally.Fail($"The artifact {path} did not read back intact ({(int)download.StatusCode}, {read.Length} bytes).");
            }

            if (await CountRowsAsync(database, run, path, cancellationToken) != 1)
            {
                tally.Fail($"The upload of {path} after S3 returned has no artifact row.");
            }
        }

        return tally;
    }

    // The status of one upload attempt, or null when it got no answer.
    private static async Task<HttpStatusCode?> SendAsync(ChaosClient client, Tally tally, Guid run, string path, HttpContent content, CancellationToken cancellationToken)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/runs/{run}/artifacts/content?path={Uri.EscapeDataString(path)}") { Content = content };
        try
        {
            using var response = await client.Http.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                var problem = response.Content.Headers.ContentType?.MediaType;
                if (problem != "application/problem+json" || !response.Headers.Contains("Retry-After"))
                {
                    tally.Fail($"The {(int)response.StatusCode} for {path} is not a ProblemDetails with Retry-After ({problem}).");
                }

                tally.ServerError((int)response.StatusCode, $"PUT artifact {path}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            tally.ConnectionError();
            return null;
        }
    }

    private static ByteArrayContent Octets(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static async Task<long> CountRowsAsync(NpgsqlConnection database, Guid run, string path, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM artifacts WHERE run_id = $1 AND path = $2", database);
        command.Parameters.AddWithValue(run);
        command.Parameters.AddWithValue(path);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // A body of known length that stops halfway until released.
    private sealed class PausingContent(byte[] bytes, TaskCompletionSource halfSent, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = bytes.Length / 2;
            await stream.WriteAsync(bytes.AsMemory(0, half));
            await stream.FlushAsync();
            halfSent.TrySetResult();
            await release;
            await stream.WriteAsync(bytes.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
