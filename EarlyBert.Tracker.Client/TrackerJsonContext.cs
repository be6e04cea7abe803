using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Client.Workers;

namespace EarlyBert.Tracker.Client;

/// <summary>Source-generated JSON metadata for every tracker contract (web defaults: camelCase names).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WorkerHeartbeat))]
[JsonSerializable(typeof(WorkerInfo))]
[JsonSerializable(typeof(IReadOnlyList<WorkerInfo>))]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(RunPage))]
public sealed partial class TrackerJsonContext : JsonSerializerContext;
