using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EarlyBert.Recipes;

/// <summary>Reads and writes <see cref="RunConfig"/> documents and applies <c>--set key=value</c> overrides.</summary>
public static class RunConfigJson
{
    /// <summary>snake_case keys, indented, nulls written out (a resolved config shows every setting).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Parses a config; unknown keys, wrong types and broken <see cref="RunConfigRules"/> are errors that name the key.</summary>
    public static RunConfig Parse(string json)
    {
        try
        {
            var config = JsonSerializer.Deserialize<RunConfig>(json, Options) ?? throw new RunConfigException("The config is empty (null).");
            if (config.SchemaVersion != RunConfig.CurrentSchemaVersion)
                throw new RunConfigException($"schema_version {config.SchemaVersion} is not supported; this trainer reads version {RunConfig.CurrentSchemaVersion}.", key: "schema_version");
            RunConfigRules.Enforce(config);
            return config;
        }
        catch (JsonException exception)
        {
            throw new RunConfigException($"The config is not valid: {exception.Message}", exception, KeyOf(exception.Path),
                exception.LineNumber + 1);
        }
    }

    /// <summary>The config as a JSON object.</summary>
    public static JsonObject ToNode(RunConfig config) => JsonSerializer.SerializeToNode(config, Options)!.AsObject();

    /// <summary>The config as indented JSON text.</summary>
    public static string ToJson(RunConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>
    /// Applies overrides such as <c>training.threads=1</c> or <c>optimizer.learning_rate.config.initial_learning_rate=3e-5</c>:
    /// the value is read as JSON when it is valid JSON (numbers, true/false, null, objects), otherwise as a string.
    /// A path through a key the config does not have is an error, so a typo never passes silently.
    /// </summary>
    public static RunConfig Apply(RunConfig config, IEnumerable<string> assignments)
    {
        var root = ToNode(config);
        foreach (var assignment in assignments)
        {
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new RunConfigException($"'{assignment}' is not key=value (e.g. training.threads=1).");
            var key = assignment[..equals].Trim();
            var path = key.Split('.');
            var text = assignment[(equals + 1)..];
            JsonNode? value;
            try { value = JsonNode.Parse(text); }
            catch (JsonException) { value = JsonValue.Create(text); }

            JsonObject parent = root;
            for (var i = 0; i < path.Length - 1; i++)
            {
                parent = parent[path[i]] as JsonObject
                    ?? throw new RunConfigException($"'{string.Join('.', path[..(i + 1)])}' is not a section of the config (in '{assignment}').", key: key);
            }
            // Optimizer dictionaries are free-form (Keras config); everything else must exist already.
            if (!parent.ContainsKey(path[^1]) && !IsUnder(path, "optimizer") && !IsUnder(path, "reference_versions"))
                throw new RunConfigException($"The config has no key '{key}' (in '{assignment}').", key: key);
            parent[path[^1]] = value;
        }
        return Parse(root.ToJsonString());
    }

    // "$.training.epochs" to "training.epochs"; the root ("$") is no key.
    private static string? KeyOf(string? jsonPath) =>
        jsonPath is null || jsonPath == "$" ? null : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    /// <summary>A flat view of the config for the tracker's params: dotted keys, invariant-culture values.</summary>
    public static Dictionary<string, string> Flatten(RunConfig config)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(ToNode(config), "", result);
        return result;
    }

    private static void Walk(JsonNode? node, string prefix, Dictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj) Walk(child, prefix.Length == 0 ? key : $"{prefix}.{key}", into);
                break;
            case JsonArray array:
                into[prefix] = array.ToJsonString();
                break;
            case JsonValue value when value.TryGetValue<double>(out var number):
                into[prefix] = number.ToString("R", CultureInfo.InvariantCulture);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                into[prefix] = value.GetValue<string>();
                break;
            case null:
                into[prefix] = "null";
                break;
            default:
                into[prefix] = node.ToJsonString();
                break;
        }
    }

    private static bool IsUnder(string[] path, string section) => path.Length > 1 && path[0] == section;
}

/// <summary>A config that cannot be used; the message says which key and why.</summary>
public sealed class RunConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the key.</param>
    /// <param name="inner">The JSON error behind it, if any.</param>
    /// <param name="key">The dotted key it is about (<c>training.epochs</c>), when one is known.</param>
    /// <param name="line">The 1-based line of the JSON text it is on, when it comes from parsing a document.</param>
    public RunConfigException(string message, Exception? inner = null, string? key = null, long? line = null) : base(message, inner)
    {
        Key = key;
        Line = line;
    }

    /// <summary>The dotted key the error is about (<c>training.epochs</c>), so an editor can point at it; null when unknown.</summary>
    public string? Key { get; }

    /// <summary>The 1-based line of the parsed JSON text the error is on; null when it did not come from a document's text.</summary>
    public long? Line { get; }
}
