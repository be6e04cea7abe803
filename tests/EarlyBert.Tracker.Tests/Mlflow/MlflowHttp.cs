using System.Net;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Mlflow;

/// <summary>Raw MLflow REST calls as the clients send them (snake_case JSON, GET parameters in the query).</summary>
public sealed class MlflowHttp(TrackerAppFactory tracker)
{
    private readonly HttpClient http = tracker.CreateClient();

    /// <summary>POSTs <paramref name="body"/> (serialised as written) to <c>/api/2.0/mlflow/{path}</c>.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object body, string prefix = "/api/2.0/mlflow/") =>
        SendAsync(HttpMethod.Post, prefix + path, JsonSerializer.Serialize(body));

    /// <summary>POSTs raw JSON text.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> PostTextAsync(string path, string json) =>
        SendAsync(HttpMethod.Post, "/api/2.0/mlflow/" + path, json);

    /// <summary>GETs <c>/api/2.0/mlflow/{pathAndQuery}</c>.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string pathAndQuery, string prefix = "/api/2.0/mlflow/") =>
        SendAsync(HttpMethod.Get, prefix + pathAndQuery, null);

    /// <summary>Any request to an absolute path.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, string? json)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{method} {url}: {response.StatusCode} {response.Content.Headers.ContentType} {text}");
        using var document = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>The raw client, for artifact bytes.</summary>
    public HttpClient Client => http;

    /// <summary>Asserts success and returns the body.</summary>
    public static JsonElement Ok((HttpStatusCode Status, JsonElement Body) answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.Status}: {answer.Body}");
        return answer.Body;
    }

    /// <summary>Asserts MLflow's error shape with <paramref name="code"/> and <paramref name="status"/>.</summary>
    public static string Error((HttpStatusCode Status, JsonElement Body) answer, HttpStatusCode status, string code)
    {
        Assert.True(answer.Status == status, $"expected {status}, got {answer.Status}: {answer.Body}");
        Assert.Equal(code, answer.Body.GetProperty("error_code").GetString());
        var message = answer.Body.GetProperty("message").GetString();
        Assert.False(string.IsNullOrEmpty(message));
        return message!;
    }

    /// <summary>Epoch milliseconds of the tracker's test clock plus <paramref name="offsetMs"/>.</summary>
    public static long Millis(TrackerAppFactory tracker, long offsetMs = 0) => tracker.Time.GetUtcNow().ToUnixTimeMilliseconds() + offsetMs;
}
