using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Tracker.Client;
using EarlyBert.Training.Recording;
using EarlyBert.Training.Training;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Reproduction;

/// <summary>
/// A run as one self-contained file (<c>export RUN_ID --out FILE</c>): a zip holding the run in the offline-folder
/// layout (<c>run.json</c>, <c>config.json</c>, <c>params.json</c>, <c>metadata.json</c> with the versions and
/// hashes, <c>metrics.jsonl</c> with every logged point, <c>artifacts/README.md</c> the model card) plus
/// <c>bundle.json</c>, and with <c>--with-data</c> the data under <c>data/</c>. <c>reproduce --bundle FILE</c>
/// unpacks it and reproduces it as <c>reproduce --from</c> does.
/// </summary>
internal static class RunBundle
{
    private const int SeriesPageSize = 10_000;

    // Config keys that name user files; with --with-data each is packed under data/files/<key>/.
    private static readonly string[] FileKeys = ["data.train_file", "data.validation_file", "tokenizer.vocab"];

    /// <summary>Writes the bundle of <paramref name="runId"/> to <paramref name="file"/>.</summary>
    public static async Task ExportAsync(TrackerClient tracker, Guid runId, string file, bool withData, ILogger logger, CancellationToken cancellationToken)
    {
        var run = await tracker.GetRunAsync(runId, cancellationToken);
        if (run.Config.ValueKind != JsonValueKind.Object || !run.Config.EnumerateObject().Any())
            throw new FormatException($"Run {runId} has no stored config: there is nothing to reproduce.");
        var staging = Directory.CreateTempSubdirectory("earlybert-bundle-").FullName;
        try
        {
            using (var folder = new OfflineRunFolder(staging))
            {
                folder.WriteRun(new OfflineRun(run.Experiment, run.Name, run.Status, run.StatusReason, run.StartedAt ?? run.CreatedAt, run.EndedAt, run.Id));
                await File.WriteAllTextAsync(Path.Combine(staging, "config.json"), JsonSerializer.Serialize(run.Config, OfflineRunFolder.Json), cancellationToken);
                folder.LogParams(run.Params);
                folder.LogMetadata(run.Metadata.ToDictionary(m => m.Key, m => JsonNode.Parse(m.Value.GetRawText())));
                foreach (var metric in run.Metrics)
                    await ExportSeriesAsync(tracker, runId, metric.Key, folder, cancellationToken);
            }

            var artifacts = await tracker.ListArtifactsAsync(runId, cancellationToken);
            foreach (var path in new[] { "README.md", "config.json", "eval/confusion_matrix.json" }.Where(p => artifacts.Any(a => a.Path == p)))
            {
                var target = Path.Combine(staging, "artifacts", path);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using var stream = File.Create(target);
                await tracker.DownloadArtifactAsync(runId, path, stream, cancellationToken);
            }

            var data = withData ? PackData(run.Config, staging, logger) : [];
            var bundle = new JsonObject
            {
                ["format"] = "earlybert-run-bundle",
                ["version"] = 1,
                ["run_id"] = runId.ToString(),
                ["exported_at"] = DateTimeOffset.UtcNow,
                ["with_data"] = withData,
                ["data"] = new JsonArray(data.Select(d => (JsonNode?)d).ToArray()),
            };
            await File.WriteAllTextAsync(Path.Combine(staging, "bundle.json"), bundle.ToJsonString(OfflineRunFolder.Json), cancellationToken);
            File.Delete(file);
            ZipFile.CreateFromDirectory(staging, file, CompressionLevel.Optimal, includeBaseDirectory: false);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// Unpacks <paramref name="file"/> into <paramref name="directory"/> as an offline run folder. Answers the overrides
    /// that point the config at packed user files, and the packed built-in data cache (null when none), which the
    /// caller uses as <c>EARLYBERT_DATA_CACHE</c>.
    /// </summary>
    public static (List<string> Overrides, string? DataCache) Extract(string file, string directory)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"The bundle {file} does not exist.", file);
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            throw new FormatException($"{directory} exists and is not empty; name another folder with --out.");
        try
        {
            ZipFile.ExtractToDirectory(file, directory);
        }
        catch (InvalidDataException exception)
        {
            throw new FormatException($"{file} is not a run bundle: {exception.Message}", exception);
        }

        if (!File.Exists(Path.Combine(directory, "bundle.json")) || !File.Exists(Path.Combine(directory, "config.json")))
            throw new FormatException($"{file} is not a run bundle (no bundle.json and config.json).");
        var overrides = new List<string>();
        foreach (var key in FileKeys)
        {
            var packed = Path.Combine(directory, "data", "files", key);
            if (Directory.Exists(packed) && Directory.GetFiles(packed) is [var path]) overrides.Add($"{key}={Path.GetFullPath(path)}");
        }
        var cache = Path.Combine(directory, "data", "datasets");
        return (overrides, Directory.Exists(cache) ? Path.GetFullPath(cache) : null);
    }

    private static async Task ExportSeriesAsync(TrackerClient tracker, Guid runId, string key, OfflineRunFolder folder, CancellationToken cancellationToken)
    {
        long? after = null;
        do
        {
            var page = await tracker.GetSeriesPageAsync(runId, key, after, SeriesPageSize, cancellationToken);
            folder.LogMetrics(page.Points.Select(p => new MetricSample(key, p.Step, p.Value, p.Epoch ?? 0, p.Timestamp)).ToList());
            after = page.NextAfterStep;
        }
        while (after is not null);
    }

    /// <summary>Copies the run's data into <c>data/</c>: user files by config key, a built-in data set's cache folder.</summary>
    private static List<string> PackData(JsonElement config, string staging, ILogger logger)
    {
        var packed = new List<string>();
        foreach (var key in FileKeys)
        {
            var parts = key.Split('.');
            if (!config.TryGetProperty(parts[0], out var section) || !section.TryGetProperty(parts[1], out var value) || value.ValueKind != JsonValueKind.String)
                continue;
            var path = value.GetString()!;
            if (!File.Exists(path)) throw new FileNotFoundException($"--with-data: {key} is {path}, which is not on this machine.", path);
            var target = Path.Combine(staging, "data", "files", key, Path.GetFileName(path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);
            packed.Add($"files/{key}/{Path.GetFileName(path)}");
        }

        // A config without train_file trains on the built-in data set named by data.name.
        if (config.TryGetProperty("data", out var data)
            && (!data.TryGetProperty("train_file", out var train) || train.ValueKind == JsonValueKind.Null)
            && data.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() is { } dataName)
        {
            // The trainer's data cache: $EARLYBERT_DATA_CACHE, else ~/.cache/earlybert/datasets (one folder per package version).
            var root = Environment.GetEnvironmentVariable("EARLYBERT_DATA_CACHE") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "earlybert", "datasets");
            var folders = Directory.Exists(root) ? Directory.GetDirectories(root, $"{dataName}-*") : [];
            if (folders.Length == 0) throw new FileNotFoundException($"--with-data: the built-in data set {dataName} is not in the data cache {root}; train once with it first.");
            foreach (var source in folders)
            {
                var target = Path.Combine(staging, "data", "datasets", Path.GetFileName(source));
                foreach (var fileName in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                {
                    var copy = Path.Combine(target, Path.GetRelativePath(source, fileName));
                    Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                    File.Copy(fileName, copy);
                }
                packed.Add($"datasets/{Path.GetFileName(source)}");
                logger.LogInformation("Packed the built-in data set {Folder}", source);
            }
        }
        return packed;
    }
}
