using System.Text.Json.Serialization;

namespace EarlyBert.Tracker.Mlflow;

// The wire shapes of MLflow's REST tracking API (mlflow/protos/service.proto in its JSON form): snake_case names,
// ids as strings, times as epoch milliseconds. Request fields are all optional here because MLflow answers a missing
// required field with INVALID_PARAMETER_VALUE, which the handlers say themselves.

/// <summary>A key and value (tags, params).</summary>
public sealed record MlflowKeyValue(string? Key, string? Value);

/// <summary>One metric value; <c>value</c> may be the strings <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
public sealed record MlflowMetric(string? Key, double? Value, long? Timestamp, long? Step);

/// <summary>An experiment.</summary>
public sealed record MlflowExperiment(
    string ExperimentId, string Name, string ArtifactLocation, string LifecycleStage, long LastUpdateTime, long CreationTime,
    IReadOnlyList<MlflowKeyValue> Tags);

/// <summary>A run's metadata.</summary>
public sealed record MlflowRunInfo(
    string RunId, string RunUuid, string RunName, string ExperimentId, string UserId, string Status, long StartTime, long? EndTime,
    string ArtifactUri, string LifecycleStage);

/// <summary>A run's data: latest value per metric key, params and tags.</summary>
public sealed record MlflowRunData(IReadOnlyList<MlflowMetric> Metrics, IReadOnlyList<MlflowKeyValue> Params, IReadOnlyList<MlflowKeyValue> Tags);

/// <summary>A run.</summary>
public sealed record MlflowRun(MlflowRunInfo Info, MlflowRunData Data);

/// <summary>A file or folder of a run's artifacts.</summary>
public sealed record MlflowFileInfo(string Path, bool IsDir, long? FileSize);

/// <summary>Every MLflow error body.</summary>
public sealed record MlflowError(string ErrorCode, string Message);

/// <summary><c>experiments/create</c>.</summary>
public sealed record CreateExperimentRequest(string? Name, string? ArtifactLocation, IReadOnlyList<MlflowKeyValue>? Tags);

/// <summary><c>experiments/delete</c>, <c>experiments/restore</c>.</summary>
public sealed record ExperimentIdRequest(string? ExperimentId);

/// <summary><c>experiments/update</c>.</summary>
public sealed record UpdateExperimentRequest(string? ExperimentId, string? NewName);

/// <summary><c>experiments/set-experiment-tag</c>, <c>experiments/delete-experiment-tag</c> (no value).</summary>
public sealed record ExperimentTagRequest(string? ExperimentId, string? Key, string? Value);

/// <summary><c>experiments/search</c>.</summary>
public sealed record SearchExperimentsRequest(long? MaxResults, string? PageToken, string? Filter, IReadOnlyList<string>? OrderBy, string? ViewType);

/// <summary><c>runs/create</c>.</summary>
public sealed record CreateRunRequest(string? ExperimentId, string? UserId, long? StartTime, IReadOnlyList<MlflowKeyValue>? Tags, string? RunName);

/// <summary><c>runs/update</c>.</summary>
public sealed record UpdateRunRequest(string? RunId, string? RunUuid, string? Status, long? EndTime, string? RunName);

/// <summary><c>runs/delete</c>, <c>runs/restore</c>.</summary>
public sealed record RunIdRequest(string? RunId);

/// <summary><c>runs/log-metric</c>.</summary>
public sealed record LogMetricRequest(string? RunId, string? RunUuid, string? Key, double? Value, long? Timestamp, long? Step);

/// <summary><c>runs/log-parameter</c>, <c>runs/set-tag</c>, <c>runs/delete-tag</c>.</summary>
public sealed record RunKeyValueRequest(string? RunId, string? RunUuid, string? Key, string? Value);

/// <summary><c>runs/log-batch</c>.</summary>
public sealed record LogBatchRequest(
    string? RunId, IReadOnlyList<MlflowMetric>? Metrics, IReadOnlyList<MlflowKeyValue>? Params, IReadOnlyList<MlflowKeyValue>? Tags);

/// <summary><c>runs/log-model</c>.</summary>
public sealed record LogModelRequest(string? RunId, string? ModelJson);

/// <summary><c>runs/search</c>.</summary>
public sealed record SearchRunsRequest(
    IReadOnlyList<string>? ExperimentIds, string? Filter, string? RunViewType, int? MaxResults, IReadOnlyList<string>? OrderBy, string? PageToken);

/// <summary>Answer of <c>experiments/create</c>.</summary>
public sealed record CreateExperimentResponse(string ExperimentId);

/// <summary>Answer of <c>experiments/get</c>, <c>experiments/get-by-name</c>.</summary>
public sealed record ExperimentResponse(MlflowExperiment Experiment);

/// <summary>Answer of <c>experiments/search</c>, <c>experiments/list</c>.</summary>
public sealed record ExperimentsPage(IReadOnlyList<MlflowExperiment> Experiments, string? NextPageToken);

/// <summary>Answer of <c>runs/create</c>, <c>runs/get</c>.</summary>
public sealed record RunResponse(MlflowRun Run);

/// <summary>Answer of <c>runs/update</c>.</summary>
public sealed record RunInfoResponse(MlflowRunInfo RunInfo);

/// <summary>Answer of <c>runs/search</c>.</summary>
public sealed record RunsPage(IReadOnlyList<MlflowRun> Runs, string? NextPageToken);

/// <summary>Answer of <c>metrics/get-history</c>.</summary>
public sealed record MetricHistory(IReadOnlyList<MlflowMetric> Metrics, string? NextPageToken);

/// <summary>Answer of <c>artifacts/list</c> (<c>root_uri</c> set) and of the <c>mlflow-artifacts</c> listing.</summary>
public sealed record ArtifactListing(string? RootUri, IReadOnlyList<MlflowFileInfo> Files, string? NextPageToken);

/// <summary>An empty success body, <c>{}</c>.</summary>
public sealed record MlflowEmpty;

/// <summary>The MLflow API's JSON: snake_case, NaN and infinities as strings, numbers accepted as strings (proto3 JSON writes int64 so).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MlflowError))]
[JsonSerializable(typeof(MlflowEmpty))]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(UpdateExperimentRequest))]
[JsonSerializable(typeof(ExperimentTagRequest))]
[JsonSerializable(typeof(SearchExperimentsRequest))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(LogMetricRequest))]
[JsonSerializable(typeof(RunKeyValueRequest))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(LogModelRequest))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(ExperimentsPage))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(RunInfoResponse))]
[JsonSerializable(typeof(RunsPage))]
[JsonSerializable(typeof(MetricHistory))]
[JsonSerializable(typeof(ArtifactListing))]
internal sealed partial class MlflowJsonContext : JsonSerializerContext;
