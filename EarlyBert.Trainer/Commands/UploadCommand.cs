using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Training.Recording;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>upload DIR [--tracker URL]</c>: sends a run recorded with <c>train --offline DIR</c> to a tracker. Batch ids are
/// derived from the folder's contents, and the run id is written back into <c>run.json</c>, so an interrupted upload
/// can simply be repeated: nothing is stored twice.
/// </summary>
internal static class UploadCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "Folder written by train --offline." };
        var trackerUrl = new Option<string?>("--tracker") { Description = "Tracker base address (default http://localhost:5180)." };
        var apiKey = TrackerAccess.ApiKeyOption();
        var command = new Command("upload", "Sends an offline run folder to a tracker.") { folder, trackerUrl, apiKey };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("upload");
            var directory = parse.GetValue(folder)!;
            if (!File.Exists(Path.Combine(directory, "run.json")))
            {
                logger.LogError("{Folder} is not an offline run folder (no run.json)", directory);
                return 1;
            }
            var tracker = TrackerAccess.CreateClient(parse.GetValue(trackerUrl), parse.GetValue(apiKey), out var http);
            using var _ = http;
            var runId = await UploadAsync(tracker, directory, logger, cancellationToken);
            await Console.Out.WriteLineAsync(new System.Text.Json.Nodes.JsonObject { ["run_id"] = runId.ToString() }.ToJsonString());
            return 0;
        });
        return command;
    }

    /// <summary>Sends the folder and returns the tracker's run id.</summary>
    public static async Task<Guid> UploadAsync(TrackerClient tracker, string directory, ILogger logger, CancellationToken cancellationToken)
    {
        var run = OfflineRunFolder.ReadRun(directory);
        if (run.Status == RunStatuses.Running)
            throw new InvalidOperationException($"{directory} is still running (or its training process died): finish or resume it before uploading.");
        var configPath = Path.Combine(directory, "config.json");
        var config = File.Exists(configPath) ? JsonDocument.Parse(File.ReadAllText(configPath)).RootElement.Clone() : (JsonElement?)null;
        Guid runId;
        if (run.UploadedRunId is { } existing)
        {
            runId = existing;
        }
        else
        {
            await tracker.EnsureExperimentAsync(run.Experiment, null, cancellationToken);
            var created = await tracker.CreateRunAsync(new CreateRun(run.Experiment, run.Name, RunStatuses.Running, config,
                Notes: $"Uploaded from an offline folder (trained {run.StartedAt:u} to {run.EndedAt:u}).", WorkerId: $"offline-{Environment.MachineName}"), cancellationToken);
            runId = created.Id;
            File.WriteAllText(Path.Combine(directory, "run.json"), JsonSerializer.Serialize(run with { UploadedRunId = runId }, OfflineRunFolder.Json));
        }

        var @params = ReadObject(directory, "params.json");
        var metadata = ReadObject(directory, "metadata.json");
        await tracker.LogBatchAsync(runId, new RunBatch(BatchId(runId, "params+metadata"),
            Params: @params.ToDictionary(p => p.Key, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()),
            Metadata: metadata), cancellationToken);
        var points = OfflineRunFolder.ReadMetrics(directory).Select(s => new MetricPoint(s.Key, s.Step, s.Value, s.Epoch, s.Timestamp)).ToList();
        var chunk = 0;
        foreach (var batch in points.Chunk(5000))
            await tracker.LogBatchAsync(runId, new RunBatch(BatchId(runId, $"metrics-{chunk++}"), Series: MetricColumns.From(batch)), cancellationToken);
        var artifacts = Path.Combine(directory, "artifacts");
        // An ended run takes no more artifacts (409), and a repeated upload must not send them again anyway: a file the
        // tracker already holds with the same SHA-256 is skipped.
        var stored = (await tracker.ListArtifactsAsync(runId, cancellationToken)).ToDictionary(a => a.Path, a => a.Sha256, StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(artifacts, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var path = Path.GetRelativePath(artifacts, file).Replace('\\', '/');
            await using var stream = File.OpenRead(file);
            if (stored.TryGetValue(path, out var storedSha) && string.Equals(storedSha, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)), StringComparison.OrdinalIgnoreCase))
                continue;
            stream.Position = 0;
            await tracker.UploadArtifactAsync(runId, path, stream, path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream", cancellationToken);
        }
        await tracker.UpdateRunAsync(runId, new UpdateRun(Status: run.Status, StatusReason: run.StatusReason), cancellationToken);
        logger.LogInformation("Uploaded {Folder} as run {RunId}: {Points} metric points", directory, runId, points.Count);
        return runId;
    }

    private static Dictionary<string, JsonElement> ReadObject(string directory, string file)
    {
        var path = Path.Combine(directory, file);
        if (!File.Exists(path)) return [];
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    // The same folder always gives the same ids, so repeating an upload stores nothing twice.
    private static Guid BatchId(Guid runId, string part) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"{runId}/{part}"))[..16]);
}
