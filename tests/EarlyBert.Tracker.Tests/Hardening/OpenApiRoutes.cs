using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EarlyBert.Tracker.Tests.Hardening;

/// <summary>
/// Malformed requests for every operation of the tracker's OpenAPI document, so that a new route is covered the day
/// it is added: each path and query parameter in turn given the bad values of its type (the others well-formed),
/// and for JSON bodies every member in turn (see <see cref="JsonMutations"/>).
/// </summary>
public static class OpenApiRoutes
{
    /// <summary>The run, experiment and worker that well-formed values point at.</summary>
    public sealed record Targets(Guid RunId, Guid OtherRunId, long ExperimentId, string Experiment, string MetricKey, string ArtifactPath);

    /// <summary>The requests for <paramref name="document"/>.</summary>
    public static List<MalformedRequest> From(JsonElement document, Targets targets)
    {
        var requests = new List<MalformedRequest>();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = operation.Name.ToUpperInvariant();
                var parameters = operation.Value.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => (Name: p.GetProperty("name").GetString()!, In: p.GetProperty("in").GetString()!, Schema: p.GetProperty("schema"))).ToList()
                    : [];
                var good = parameters.ToDictionary(p => p.Name, p => Uri.EscapeDataString(GoodValue(p.Name, p.Schema, targets)));
                JsonNode? body = null;
                if (operation.Value.TryGetProperty("requestBody", out var requestBody)
                    && requestBody.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    body = Sample(json.GetProperty("schema"), schemas, targets, "");
                }

                string Url(string? badName, string? badValue)
                {
                    var url = path.Name;
                    var query = new List<string>();
                    foreach (var p in parameters)
                    {
                        var value = p.Name == badName ? badValue! : good[p.Name];
                        if (p.In == "path")
                        {
                            url = url.Replace("{" + p.Name + "}", value, StringComparison.Ordinal);
                        }
                        else if (p.Name == badName || RequiredInQuery(p.Name))
                        {
                            query.Add($"{p.Name}={value}");
                        }
                    }

                    return query.Count == 0 ? url : url + "?" + string.Join('&', query);
                }

                foreach (var p in parameters)
                {
                    var bad = Type(p.Schema) switch
                    {
                        "integer" => BadValues.UrlIntegers(),
                        "boolean" => [("not a boolean", "maybe"), ("NUL", "true%00")],
                        _ when Format(p.Schema) == "uuid" => [("not a uuid", "not-a-uuid"), ("NUL", "%00"), .. BadValues.UrlStrings().Where(b => b.What == "over-long")],
                        _ => BadValues.UrlStrings(),
                    };
                    foreach (var (what, value) in bad)
                    {
                        requests.Add(new MalformedRequest(method, Url(p.Name, value), Serialize(body), $"{method} {path.Name}", $"{p.In} {p.Name}: {what}", false));
                    }
                }

                if (body is not null)
                {
                    var any = new HashSet<string>(["config", "metadata"], StringComparer.Ordinal);
                    foreach (var (what, text) in JsonMutations.Of(body, any))
                    {
                        requests.Add(new MalformedRequest(method, Url(null, null), text, $"{method} {path.Name}", "body " + what, false));
                    }
                }
            }
        }

        return requests;
    }

    // Query parameters the endpoints need to get past their first check, so the bad value of another one is reached.
    private static bool RequiredInQuery(string name) => name is "key" or "runs" or "metrics" or "path";

    private static string? Serialize(JsonNode? body) => body?.ToJsonString();

    private static string GoodValue(string name, JsonElement schema, Targets targets) => name switch
    {
        "runId" => targets.RunId.ToString(),
        "id" => targets.ExperimentId.ToString(CultureInfo.InvariantCulture),
        "workerId" => "hardening-worker",
        "runs" => $"{targets.RunId},{targets.OtherRunId}",
        "key" or "metrics" => targets.MetricKey,
        "path" => targets.ArtifactPath,
        "filter" => "params.lr > 0",
        "orderBy" => "created desc",
        "params" => "lr",
        "include" => "epochs",
        "name" => targets.Experiment,
        "fromStep" => "0",
        "toStep" => "100",
        _ => Type(schema) switch
        {
            "integer" => schema.TryGetProperty("default", out var d) ? d.ToString() : "1",
            "boolean" => "false",
            _ => "x",
        },
    };

    private static string? Type(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return null;
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
            : type.GetString();
    }

    private static string? Format(JsonElement schema) => schema.TryGetProperty("format", out var format) ? format.GetString() : null;

    // A well-formed value of a schema, with values that point at the targets where a member's name says what it is.
    private static JsonNode? Sample(JsonElement schema, JsonElement schemas, Targets targets, string name)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Sample(schemas.GetProperty(reference.GetString()!.Split('/')[^1]), schemas, targets, name);
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            return Sample(oneOf.EnumerateArray().First(s => Type(s) != "null"), schemas, targets, name);
        }

        switch (Type(schema))
        {
            case "object":
                var obj = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        obj[property.Name] = Sample(property.Value, schemas, targets, property.Name);
                    }
                }
                else if (schema.TryGetProperty("additionalProperties", out var values))
                {
                    obj["hardening_key"] = Sample(values, schemas, targets, "value");
                }

                return obj;
            case "array":
                return schema.TryGetProperty("items", out var items) ? new JsonArray(Sample(items, schemas, targets, name)) : new JsonArray();
            case "integer":
                return 1;
            case "number":
                return 1.5;
            case "boolean":
                return true;
            case "string":
                return Format(schema) switch
                {
                    "uuid" => Guid.NewGuid().ToString(),
                    "date-time" => "2026-11-28T12:00:00Z",
                    _ => name switch
                    {
                        "experiment" => targets.Experiment,
                        "status" => "running",
                        "key" => targets.MetricKey,
                        _ => "x",
                    },
                };
            default:
                // Untyped (a JsonElement: config, metadata) or a number that may also be a string.
                return schema.TryGetProperty("anyOf", out _) ? 1.5 : new JsonObject { ["a"] = 1 };
        }
    }
}
