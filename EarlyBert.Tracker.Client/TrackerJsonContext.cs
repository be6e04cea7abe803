using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Artifacts;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Experiments;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Client.Workers;

namespace EarlyBert.Tracker.Client;

/// <summary>
/// Source-generated JSON metadata for every tracker contract (web defaults: camelCase names). NaN and infinities
/// travel as the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>: a NaN loss is information.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(WorkerHeartbeat))]
[JsonSerializable(typeof(WorkerInfo))]
[JsonSerializable(typeof(IReadOnlyList<WorkerInfo>))]
[JsonSerializable(typeof(List<WorkerInfo>))]
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(RunPage))]
[JsonSerializable(typeof(Run))]
[JsonSerializable(typeof(CreateRun))]
[JsonSerializable(typeof(UpdateRun))]
[JsonSerializable(typeof(ClaimRun))]
[JsonSerializable(typeof(RunHeartbeat))]
[JsonSerializable(typeof(RunBatch))]
[JsonSerializable(typeof(RunBatchResult))]
[JsonSerializable(typeof(Experiment))]
[JsonSerializable(typeof(CreateExperiment))]
[JsonSerializable(typeof(IReadOnlyList<Experiment>))]
[JsonSerializable(typeof(List<Experiment>))]
[JsonSerializable(typeof(MetricLatest))]
[JsonSerializable(typeof(IReadOnlyList<MetricLatest>))]
[JsonSerializable(typeof(List<MetricLatest>))]
[JsonSerializable(typeof(SeriesPage))]
[JsonSerializable(typeof(DownsampledSeries))]
[JsonSerializable(typeof(Comparison))]
[JsonSerializable(typeof(ArtifactInfo))]
[JsonSerializable(typeof(IReadOnlyList<ArtifactInfo>))]
[JsonSerializable(typeof(List<ArtifactInfo>))]
[JsonSerializable(typeof(RunEvent))]
public sealed partial class TrackerJsonContext : JsonSerializerContext;
