using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>HTTP to the tracker with the admin key, counting every 5xx and unanswered request in a <see cref="Tally"/>.</summary>
public sealed class ChaosClient : IDisposable
{
    private readonly HttpClient http;
    private readonly Tally tally;

    /// <summary>A client of the tracker at <paramref name="baseAddress"/>.</summary>
    public ChaosClient(Uri baseAddress, string apiKey, Tally tally, TimeSpan? timeout = null)
    {
        http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        this.tally = tally;
    }

    /// <summary>The underlying client (for streams).</summary>
    public HttpClient Http => http;

    /// <summary>Web-style JSON (camelCase).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// One attempt: the answer, or null when there was none (refused, reset, timed out). A 5xx is counted (and
    /// disposed: null is returned for it too); the latency of answered requests is recorded under <paramref name="kind"/>.
    /// </summary>
    public async Task<HttpResponseMessage?> TrySendAsync(Func<HttpRequestMessage> request, string kind, CancellationToken cancellationToken)
    {
        using var message = request();
        var what = $"{message.Method} {message.RequestUri}";
        var watch = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException
                                          || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            tally.ConnectionError();
            return null;
        }

        tally.Latency(kind, watch.Elapsed);
        if ((int)response.StatusCode >= 500)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if ((int)response.StatusCode == 503 && !response.Headers.Contains("Retry-After"))
            {
                tally.Fail($"503 without Retry-After: {what}");
            }

            if ((int)response.StatusCode == 503 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                tally.Fail($"503 that is not a ProblemDetails: {what}: {body}");
            }

            tally.ServerError((int)response.StatusCode, $"{what}: {body[..Math.Min(body.Length, 300)]}");
            response.Dispose();
            return null;
        }

        return response;
    }

    /// <summary>Sends until a non-5xx answer comes, for at most <paramref name="patience"/>.</summary>
    public async Task<HttpResponseMessage> SendWithRetriesAsync(Func<HttpRequestMessage> request, string kind, TimeSpan patience, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                tally.Retry();
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 100 * attempt)), cancellationToken);
            }

            if (await TrySendAsync(request, kind, cancellationToken) is { } response)
            {
                return response;
            }

            if (watch.Elapsed > patience)
            {
                throw new TimeoutException($"No answer to {kind} within {patience}.");
            }
        }
    }

    /// <summary>POSTs JSON with retries and reads the answer's JSON; throws on a 4xx.</summary>
    public async Task<JsonElement> PostJsonAsync(string url, object body, CancellationToken cancellationToken)
    {
        using var response = await SendWithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) }, "setup", TimeSpan.FromSeconds(60), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    /// <summary>Creates an experiment and <paramref name="count"/> running runs in it.</summary>
    public async Task<Guid[]> CreateRunsAsync(string experiment, int count, CancellationToken cancellationToken)
    {
        await PostJsonAsync("api/experiments", new { name = experiment }, cancellationToken);
        var runs = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            var run = await PostJsonAsync("api/runs", new { experiment, name = $"{experiment}-{i}", status = "running" }, cancellationToken);
            runs[i] = run.GetProperty("id").GetGuid();
        }

        return runs;
    }

    public void Dispose() => http.Dispose();
}
