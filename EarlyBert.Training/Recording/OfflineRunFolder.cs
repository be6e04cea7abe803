using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Training.Training;

namespace EarlyBert.Training.Recording;

/// <summary>
/// A run recorded without a tracker (<c>train --offline DIR</c>), in a folder that <c>upload DIR</c> sends to a
/// tracker later. Layout:
/// <list type="bullet">
/// <item><c>run.json</c>: experiment, name, status (<c>running</c>, <c>finished</c>, <c>failed</c>, <c>cancelled</c>), reason, start and end times;</item>
/// <item><c>config.json</c>: the resolved run config;</item>
/// <item><c>params.json</c>, <c>metadata.json</c>: JSON objects;</item>
/// <item><c>metrics.jsonl</c>: one point a line, <c>{"key","step","value","epoch","timestamp"}</c> (NaN and infinities as strings), appended and flushed to disk per call;</item>
/// <item><c>artifacts/PATH</c>: the run's artifacts under their artifact paths.</item>
/// </list>
/// </summary>
public sealed class OfflineRunFolder : IRunRecorder, IDisposable
{
    /// <summary>Options for the folder's JSON files.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Lock gate = new();
    private readonly FileStream metrics;
    private readonly StreamWriter metricsWriter;

    /// <summary>Opens (creating) <paramref name="directory"/>; an existing folder is appended to (a resumed run).</summary>
    public OfflineRunFolder(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "artifacts"));
        metrics = new FileStream(Path.Combine(Directory, "metrics.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read);
        metricsWriter = new StreamWriter(metrics);
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public bool StopRequested { get; set; }

    /// <summary>Writes run.json.</summary>
    public void WriteRun(OfflineRun run) => File.WriteAllText(Path.Combine(Directory, "run.json"), JsonSerializer.Serialize(run, Json));

    /// <summary>Reads run.json.</summary>
    public static OfflineRun ReadRun(string directory) =>
        JsonSerializer.Deserialize<OfflineRun>(File.ReadAllText(Path.Combine(directory, "run.json")), Json)
        ?? throw new InvalidDataException($"{directory}/run.json is empty.");

    /// <summary>Writes the resolved config.</summary>
    public void WriteConfig(RunConfig config) => File.WriteAllText(Path.Combine(Directory, "config.json"), RunConfigJson.ToJson(config));

    /// <inheritdoc />
    public void LogParams(IReadOnlyDictionary<string, string> values) => Merge("params.json", values.ToDictionary(p => p.Key, p => (JsonNode?)p.Value));

    /// <inheritdoc />
    public void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values) => Merge("metadata.json", values);

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyList<MetricSample> samples)
    {
        lock (gate)
        {
            foreach (var sample in samples)
            {
                var line = new JsonObject
                {
                    ["key"] = sample.Key,
                    ["step"] = sample.Step,
                    ["value"] = double.IsFinite(sample.Value) ? sample.Value : sample.Value.ToString(CultureInfo.InvariantCulture),
                    ["epoch"] = sample.Epoch,
                    ["timestamp"] = sample.Timestamp,
                };
                metricsWriter.WriteLine(line.ToJsonString());
            }
            metricsWriter.Flush();
            metrics.Flush(flushToDisk: true);
        }
    }

    /// <summary>Reads every metric point of a folder.</summary>
    public static IEnumerable<MetricSample> ReadMetrics(string directory)
    {
        foreach (var line in File.ReadLines(Path.Combine(directory, "metrics.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var node = JsonNode.Parse(line)!.AsObject();
            var value = node["value"]!.GetValueKind() == JsonValueKind.String
                ? double.Parse(node["value"]!.GetValue<string>(), CultureInfo.InvariantCulture)
                : node["value"]!.GetValue<double>();
            yield return new MetricSample(node["key"]!.GetValue<string>(), node["step"]!.GetValue<long>(), value,
                node["epoch"]!.GetValue<double>(), node["timestamp"]!.GetValue<DateTimeOffset>());
        }
    }

    /// <inheritdoc />
    public void LogArtifact(string path, string file, string contentType)
    {
        var target = Path.Combine(Directory, "artifacts", path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!string.Equals(Path.GetFullPath(file), Path.GetFullPath(target), StringComparison.Ordinal))
            File.Copy(file, target, overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        metricsWriter.Dispose();
        metrics.Dispose();
    }

    private void Merge(string file, IReadOnlyDictionary<string, JsonNode?> values)
    {
        lock (gate)
        {
            var path = Path.Combine(Directory, file);
            var existing = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : [];
            foreach (var (key, value) in values) existing[key] = value?.DeepClone();
            File.WriteAllText(path, existing.ToJsonString(Json));
        }
    }
}

/// <summary>The run record of an offline folder.</summary>
/// <param name="Experiment">Experiment name.</param>
/// <param name="Name">Run name.</param>
/// <param name="Status">running, finished, failed or cancelled.</param>
/// <param name="StatusReason">Why it failed or stopped.</param>
/// <param name="StartedAt">Start time.</param>
/// <param name="EndedAt">End time.</param>
/// <param name="UploadedRunId">The tracker run it was uploaded to, once uploaded (so a second upload resumes it).</param>
public sealed record OfflineRun(string Experiment, string? Name, string Status, string? StatusReason, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, Guid? UploadedRunId = null);
