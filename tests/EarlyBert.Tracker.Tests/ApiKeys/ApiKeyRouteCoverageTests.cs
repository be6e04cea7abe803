using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Hardening;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>
/// Every route of the OpenAPI document (so a route added tomorrow is covered the day it is added) and every MLflow
/// route refuses a request without a key or with a bad one, in the route's error shape.
/// </summary>
public sealed class ApiKeyRouteCoverageTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Every_openapi_route_answers_401_problem_details_without_a_key_and_with_a_bad_one()
    {
        using var anonymous = tracker.CreateAnonymousClient();
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var operations = Operations(document.RootElement).ToList();
        var failures = new List<string>();
        var unknownKey = TrackerApiKey.Generate();
        foreach (var (method, url, route) in operations)
        {
            foreach (var (what, header) in new (string, AuthenticationHeaderValue?)[]
            {
                ("no key", null),
                ("unknown key", new AuthenticationHeaderValue("Bearer", unknownKey)),
                ("malformed key", new AuthenticationHeaderValue("Bearer", "ebk_short")),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = method is "POST" or "PUT" or "PATCH" ? new StringContent("{}", Encoding.UTF8, "application/json") : null };
                request.Headers.Authorization = header;
                using var response = await anonymous.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Unauthorized
                    || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || !response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer")
                    || !body.Contains("\"detail\"", StringComparison.Ordinal))
                {
                    failures.Add($"{route} ({what}) → {(int)response.StatusCode} {response.Content.Headers.ContentType} {body}");
                }
            }
        }

        Assert.True(operations.Count >= 27, $"only {operations.Count} operations in the OpenAPI document");
        Assert.Contains(operations, o => o.Route == "DELETE /api/keys/{id}");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_mlflow_route_answers_401_unauthenticated_in_mlflows_error_shape()
    {
        using var anonymous = tracker.CreateAnonymousClient();
        var routes = MlflowRoutes.For(Guid.NewGuid(), 1).DistinctBy(r => r.Route).ToList();
        var failures = new List<string>();
        foreach (var route in routes)
        {
            foreach (var prefix in new[] { "/api/2.0/", "/ajax-api/2.0/" })
            {
                // The table's requests carry bad values; the route's own name gives a clean URL of it.
                var url = prefix + route.Route.Split(' ')[1].Replace("{path}", "1/abc/artifacts/model.bin", StringComparison.Ordinal);
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), url);
                if (route.Body is not null)
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await anonymous.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Unauthorized || !body.Contains("\"error_code\":\"UNAUTHENTICATED\"", StringComparison.Ordinal) || !body.Contains("\"message\"", StringComparison.Ordinal))
                {
                    failures.Add($"{route.Method} {url} → {(int)response.StatusCode} {body}");
                }
            }
        }

        Assert.True(routes.Count >= 25, $"only {routes.Count} MLflow routes");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Health_and_alive_stay_open_and_health_shows_statuses_without_descriptions()
    {
        using var anonymous = tracker.CreateAnonymousClient();

        using var health = await anonymous.GetAsync("/health");
        using var alive = await anonymous.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        var checks = report.RootElement.GetProperty("checks").EnumerateObject().ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, check =>
        {
            Assert.Equal("Healthy", check.Value.GetProperty("status").GetString());
            Assert.Equal(["status", "durationMs"], check.Value.EnumerateObject().Select(p => p.Name));
        });
    }

    // Each operation with well-formed path values (the key is checked before anything else, so their targets need not exist).
    private static IEnumerable<(string Method, string Url, string Route)> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var url = path.Name;
                if (operation.Value.TryGetProperty("parameters", out var parameters))
                {
                    foreach (var parameter in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path"))
                    {
                        var schema = parameter.GetProperty("schema");
                        var value = schema.TryGetProperty("format", out var format) && format.GetString() == "uuid" ? Guid.NewGuid().ToString()
                            : schema.GetRawText().Contains("integer", StringComparison.Ordinal) ? "1"
                            : "x";
                        url = url.Replace("{" + parameter.GetProperty("name").GetString() + "}", value, StringComparison.Ordinal);
                    }
                }

                var method = operation.Name.ToUpperInvariant();
                yield return (method, url, $"{method} {path.Name}");
            }
        }
    }
}
