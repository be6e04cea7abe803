using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>
/// Malformed requests aimed at every route of the tracker's OpenAPI document (so new routes are covered without
/// editing this list), sent in a loop while faults are injected: a fault must never turn a bad request into a 500.
/// Path parameters name a run of their own (never a writer's), so nothing a scenario counts is touched.
/// </summary>
public sealed class MalformedRequests
{
    private readonly List<(HttpMethod Method, string Template)> routes;
    private readonly Guid victim;

    private MalformedRequests(List<(HttpMethod, string)> routes, Guid victim)
    {
        this.routes = routes;
        this.victim = victim;
    }

    /// <summary>Reads the routes from <c>/openapi/v1.json</c> and creates the run they may name.</summary>
    public static async Task<MalformedRequests> LoadAsync(ChaosClient client, CancellationToken cancellationToken)
    {
        using var response = await client.SendWithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Get, "openapi/v1.json"), "setup", TimeSpan.FromSeconds(60), cancellationToken);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var routes = new List<(HttpMethod, string)>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            // Live-update streams stay open by design; a malformed one is a plain 400 that other suites check.
            if (path.Name.Contains("/events", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is "get" or "post" or "put" or "patch" or "delete")
                {
                    routes.Add((new HttpMethod(operation.Name.ToUpperInvariant()), path.Name));
                }
            }
        }

        var victim = (await client.CreateRunsAsync($"chaos-malformed-{Guid.NewGuid():N}"[..24], 1, cancellationToken))[0];
        return new MalformedRequests(routes, victim);
    }

    /// <summary>Routes found.</summary>
    public int RouteCount => routes.Count;

    /// <summary>Sends malformed requests round the routes until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(ChaosClient client, Tally tally, TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            for (var round = 0; ; round++)
            {
                foreach (var (method, template) in routes)
                {
                    var request = Build(method, template, round % Variants);
                    tally.Malformed();
                    using var response = await client.TrySendAsync(request, "malformed", cancellationToken);
                    await Task.Delay(pause, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private const int Variants = 4;

    private Func<HttpRequestMessage> Build(HttpMethod method, string template, int variant) => () =>
    {
        var path = FillPath(template, variant == 0 ? "not-a-guid%00" : null);
        var query = variant switch
        {
            1 => "?filter=%00&key=%ED%A0%80&path=%00",
            2 => "?take=-1&skip=abc&maxPoints=99999999999999999999&afterStep=1e999&fromStep=9223372036854775808",
            _ => "",
        };
        var request = new HttpRequestMessage(method, path.TrimStart('/') + query);
        if (method != HttpMethod.Get && method != HttpMethod.Delete)
        {
            var body = variant switch
            {
                1 => "{\"name\":\"\\ud800\",\"experiment\":\"a\\u0000b\",\"batchId\":\"x\",\"workerId\":\"\\udfff\"}",
                2 => "{\"value\":1e999,\"metrics\":[{\"key\":\"k\",\"step\":1e30,\"value\":1e999}],\"config\":{\"a\":1e400}}",
                3 => "{not json",
                _ => "[]",
            };
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    };

    private string FillPath(string template, string? garbage)
    {
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] != '{')
            {
                text.Append(template[i]);
                continue;
            }

            var end = template.IndexOf('}', i);
            var name = template[(i + 1)..end];
            text.Append(garbage ?? (name.Contains("run", StringComparison.OrdinalIgnoreCase) ? victim.ToString() : name.Contains("id", StringComparison.OrdinalIgnoreCase) ? "1" : "x%00"));
            i = end;
        }

        return text.ToString();
    }
}
