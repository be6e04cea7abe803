using Microsoft.AspNetCore.Http;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace EarlyBert.Tracker.Tests.Hardening;

/// <summary>
/// Malformed requests to every route of the OpenAPI document and every MLflow route: none may answer 5xx, every
/// refusal is a 4xx in the route's error shape, and no refused request changes stored data.
/// </summary>
public sealed class MalformedRequestTests(TrackerAppFactory tracker, ITestOutputHelper output) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Malformed_requests_to_every_route_are_refused_with_4xx_and_change_nothing()
    {
        var targets = await ArrangeAsync();
        using var http = tracker.CreateClient();
        using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
        var requests = OpenApiRoutes.From(document.RootElement, targets);
        var openApiRoutes = requests.Select(r => r.Route).Distinct().Count();
        requests.AddRange(MlflowRoutes.For(targets.RunId, targets.ExperimentId));

        var before = await SnapshotAsync(targets);
        var serverErrors = new List<string>();
        var otherFailures = new List<string>();
        foreach (var request in requests)
        {
            var (status, problem) = await SendAsync(http, request);
            if (status >= 500)
            {
                serverErrors.Add($"{request} → {status} {problem}");
                continue;
            }

            if (problem is not null)
            {
                otherFailures.Add($"{request} → {status}: {problem}");
            }

            if (request.Method != "GET")
            {
                var after = await SnapshotAsync(targets);
                if (after != before)
                {
                    otherFailures.Add($"{request} → {status} changed stored data");
                    before = after;
                }
            }
        }

        output.WriteLine($"{requests.Count} malformed requests ({openApiRoutes} OpenAPI routes and the MLflow table), {serverErrors.Count} answered 5xx, {otherFailures.Count} other failures.");
        foreach (var line in serverErrors.Concat(otherFailures).Take(400))
        {
            output.WriteLine(line);
        }

        Assert.True(openApiRoutes >= 24, $"only {openApiRoutes} routes came from the OpenAPI document");
        Assert.True(serverErrors.Count == 0 && otherFailures.Count == 0,
            $"{requests.Count} requests: {serverErrors.Count} answered 5xx, {otherFailures.Count} other failures:\n" + string.Join('\n', serverErrors.Concat(otherFailures).Take(60)));
    }

    // The run every well-formed value points at, with data of every kind, and a second run to compare it with.
    private async Task<OpenApiRoutes.Targets> ArrangeAsync()
    {
        var client = tracker.Client();
        var run = await tracker.NewRunAsync();
        var other = await tracker.NewRunAsync(experiment: run.Experiment);
        await client.LogBatchAsync(run.Id, new RunBatch(
            Guid.NewGuid(),
            [.. Enumerable.Range(0, 100).Select(step => new MetricPoint("loss", step, 1.0 / (step + 1)))],
            new Dictionary<string, string> { ["lr"] = "0.001" },
            new Dictionary<string, string> { ["dataset"] = "spam" },
            new Dictionary<string, JsonElement> { ["device"] = JsonSerializer.SerializeToElement("cpu") }), CancellationToken.None);
        await client.UploadArtifactAsync(run.Id, "model.bin", new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None);
        // MLflow's Default experiment is made on first use: made here, so that the first MLflow read does not count as a change.
        using (var http = tracker.CreateClient())
        {
            (await http.GetAsync("/api/2.0/mlflow/experiments/get?experiment_id=0")).EnsureSuccessStatusCode();
        }

        var experimentId = await tracker.CountAsync("SELECT experiment_id FROM runs WHERE id = $1", run.Id);
        return new OpenApiRoutes.Targets(run.Id, other.Id, experimentId, run.Experiment, "loss", "model.bin");
    }

    // Everything a malformed request could have changed: the target run's rows, its artifacts, and what exists.
    private async Task<string> SnapshotAsync(OpenApiRoutes.Targets targets)
    {
        var text = new StringBuilder(await tracker.SnapshotAsync(targets.RunId));
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        foreach (var sql in new[]
        {
            "SELECT name || '|' || coalesce(config::text, '') || '|' || coalesce(worker_id, '') || '|' || coalesce(deleted_at::text, '') FROM runs WHERE id = $1",
            "SELECT path || ':' || size || ':' || sha256 FROM artifacts WHERE run_id = $1 ORDER BY path",
            "SELECT string_agg(name, ',' ORDER BY name) FROM experiments WHERE $1::uuid IS NOT NULL",
            "SELECT count(*)::text FROM runs WHERE $1::uuid IS NOT NULL",
            "SELECT count(*)::text FROM workers WHERE $1::uuid IS NOT NULL",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue(targets.RunId);
            text.Append(await command.ExecuteScalarAsync()).Append('\n');
        }

        return text.ToString();
    }

    // The status, and what is wrong with the answer's shape (null when it is right).
    private static async Task<(int Status, string? Problem)> SendAsync(HttpClient http, MalformedRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        if (request.Body is { } body)
        {
            var bytes = body == BadValues.InvalidUtf8Body ? [.. "{\"a\": \""u8, 0xC3, 0x28, .. "\"}"u8] : Encoding.UTF8.GetBytes(body);
            message.Content = new ByteArrayContent(bytes);
            message.Content.Headers.ContentType = new("application/json");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (InvalidOperationException exception) when (exception.Message.Contains("null characters", StringComparison.Ordinal))
        {
            // The test host decodes the path as Kestrel does, and Kestrel answers 400 to a NUL in a path before
            // any application code runs.
            return (StatusCodes.Status400BadRequest, null);
        }

        using var disposing = response;
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return (status, request.Method == "GET" ? null : "accepted");
        }

        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        var shown = text.Length > 300 ? text[..300] + "…" : text;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (request.Mlflow)
        {
            var shaped = mediaType == "application/json" && TryParse(text) is { } error
                && error.TryGetProperty("error_code", out _) && error.TryGetProperty("message", out _);
            return (status, shaped ? null : $"not MLflow's error shape: {mediaType} {shown}");
        }

        return (status, mediaType == "application/problem+json" && TryParse(text) is { } problem && problem.TryGetProperty("status", out _)
            ? null
            : $"not a ProblemDetails: {mediaType} {shown}");
    }

    private static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
