using System.Text.Json.Nodes;

namespace EarlyBert.Tracker.Tests.Hardening;

/// <summary>The malformed variants of a well-formed JSON body: each member in turn made bad, and whole bad bodies.</summary>
public static class JsonMutations
{
    private const string Placeholder = "__hardening_placeholder__";

    /// <summary>How a member is to be made bad.</summary>
    public enum Kind
    {
        /// <summary>A string member.</summary>
        String,

        /// <summary>A number member.</summary>
        Number,

        /// <summary>Any JSON value (config, metadata).</summary>
        Any,
    }

    /// <summary>
    /// Variants of <paramref name="sample"/>: every leaf replaced by the bad values of its kind (strings and
    /// numbers as they are in the sample; members listed in <paramref name="anyMembers"/> by any-JSON values), every
    /// member given a value of the wrong JSON type, a map given a bad key, and the whole-body variants.
    /// </summary>
    public static IEnumerable<(string What, string Json)> Of(JsonNode sample, ISet<string>? anyMembers = null, bool emptyBodyIsValid = false)
    {
        foreach (var body in BadValues.Bodies().Where(b => !emptyBodyIsValid || b.Json.Length > 0))
        {
            yield return body;
        }

        foreach (var (path, node) in Leaves(sample, "$"))
        {
            var name = path[(path.LastIndexOf('.') + 1)..];
            // Inside a free-form member (a config) any type and any double is fine: only what no store takes is bad.
            var insideAny = anyMembers is not null && path.Split('.', '[').SkipLast(1).Any(anyMembers.Contains);
            var bad = anyMembers?.Contains(name) == true ? BadValues.JsonAny()
                : node is JsonValue text && text.TryGetValue<string>(out _) ? BadValues.JsonStrings()
                : node is JsonValue integer && (integer.TryGetValue<int>(out _) || integer.TryGetValue<long>(out _)) && !insideAny ? BadValues.JsonIntegers()
                : node is JsonValue ? BadValues.JsonNumbers()
                : BadValues.JsonAny();
            foreach (var (what, json) in bad)
            {
                yield return ($"{path}: {what}", Replace(sample, path, json));
            }

            if (!insideAny)
            {
                yield return ($"{path}: wrong type", Replace(sample, path, node is JsonArray ? "\"x\"" : "[[]]"));
            }
        }

        foreach (var (path, node) in Objects(sample, "$"))
        {
            if (node is JsonObject map && path != "$")
            {
                foreach (var (what, json) in BadValues.JsonStrings().Take(3))
                {
                    var copy = Replace(sample, path, "{}");
                    var key = json;
                    yield return ($"{path}: key {what}", copy.Replace($"\"{PathName(path)}\":{{}}", $"\"{PathName(path)}\":{{{key}:\"v\"}}", StringComparison.Ordinal));
                }
            }
        }
    }

    private static string PathName(string path) => path[(path.LastIndexOf('.') + 1)..];

    // Every value that is not an object with members: strings, numbers, booleans, arrays of values, empty objects.
    private static IEnumerable<(string Path, JsonNode? Node)> Leaves(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                foreach (var (name, child) in obj)
                {
                    foreach (var leaf in Leaves(child, $"{path}.{name}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray array when array.Count > 0:
                foreach (var leaf in Leaves(array[0], $"{path}[0]"))
                {
                    yield return leaf;
                }

                yield return (path, array);
                break;
            default:
                if (path != "$")
                {
                    yield return (path, node);
                }

                break;
        }
    }

    private static IEnumerable<(string Path, JsonNode? Node)> Objects(JsonNode? node, string path)
    {
        if (node is JsonObject obj)
        {
            yield return (path, obj);
            foreach (var (name, child) in obj)
            {
                foreach (var inner in Objects(child, $"{path}.{name}"))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary><paramref name="sample"/> as text with the value at <paramref name="path"/> replaced by raw JSON.</summary>
    private static string Replace(JsonNode sample, string path, string rawJson)
    {
        var copy = sample.DeepClone();
        JsonNode parent = copy;
        var parts = path[2..].Replace("[0]", ".[0]", StringComparison.Ordinal).Split('.');
        for (var i = 0; i < parts.Length - 1; i++)
        {
            parent = parts[i] == "[0]" ? parent[0]! : parent[parts[i]]!;
        }

        var last = parts[^1];
        if (last == "[0]")
        {
            parent[0] = Placeholder;
        }
        else
        {
            parent[last] = Placeholder;
        }

        return copy.ToJsonString().Replace($"\"{Placeholder}\"", rawJson, StringComparison.Ordinal);
    }
}
