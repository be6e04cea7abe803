using System.Globalization;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Mvc;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's REST tracking API, so MLflow clients log here by setting <c>MLFLOW_TRACKING_URI</c>. Served under
/// <c>/api/2.0/mlflow/</c> and <c>/ajax-api/2.0/mlflow/</c> (and <c>…/2.0/mlflow-artifacts/</c>); every answer is a JSON
/// object and every error MLflow's <c>{"error_code", "message"}</c>, unknown routes under these prefixes included.
/// </summary>
public static class MlflowApi
{
    /// <summary>The route prefixes MLflow clients use: the REST API and the one its web UI calls.</summary>
    public static readonly IReadOnlyList<string> Prefixes = ["/api/2.0", "/ajax-api/2.0"];

    /// <summary>Largest log-batch request, MLflow's limit.</summary>
    public const long MaxBatchBytes = 1024 * 1024;

    /// <summary>Largest body of the other tracking requests.</summary>
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>Adds the MLflow stores.</summary>
    public static IServiceCollection AddMlflowApi(this IServiceCollection services)
    {
        services.AddSingleton<MlflowExperimentStore>();
        services.AddSingleton<MlflowRunStore>();
        services.AddSingleton<MlflowRunDataWriter>();
        services.AddSingleton<MlflowMetricHistory>();
        services.AddSingleton<MlflowArtifacts>();
        return services;
    }

    /// <summary>Maps the MLflow routes under both prefixes.</summary>
    public static IEndpointRouteBuilder MapMlflowApi(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in Prefixes)
        {
            var tracking = app.MapGroup($"{prefix}/mlflow").WithTags("MLflow").ExcludeFromDescription().AddEndpointFilter(AnswerErrors)
                .WithMetadata(new JsonBodyLimit(MaxBodyBytes));
            tracking.MapPost("/experiments/create", CreateExperimentAsync);
            tracking.MapGet("/experiments/get", GetExperimentAsync);
            tracking.MapGet("/experiments/get-by-name", GetExperimentByNameAsync);
            tracking.MapPost("/experiments/search", SearchExperimentsAsync);
            tracking.MapGet("/experiments/search", SearchExperimentsFromQueryAsync);
            tracking.MapGet("/experiments/list", ListExperimentsAsync);
            tracking.MapPost("/experiments/update", UpdateExperimentAsync);
            tracking.MapPost("/experiments/delete", (HttpRequest r, MlflowExperimentStore s, CancellationToken c) => SetExperimentDeletedAsync(r, s, true, c));
            tracking.MapPost("/experiments/restore", (HttpRequest r, MlflowExperimentStore s, CancellationToken c) => SetExperimentDeletedAsync(r, s, false, c));
            tracking.MapPost("/experiments/set-experiment-tag", SetExperimentTagAsync);
            tracking.MapPost("/experiments/delete-experiment-tag", DeleteExperimentTagAsync);

            tracking.MapPost("/runs/create", CreateRunAsync);
            tracking.MapGet("/runs/get", GetRunAsync);
            tracking.MapPost("/runs/update", UpdateRunAsync);
            tracking.MapPost("/runs/delete", (HttpRequest r, MlflowRunStore s, CancellationToken c) => SetRunDeletedAsync(r, s, true, c));
            tracking.MapPost("/runs/restore", (HttpRequest r, MlflowRunStore s, CancellationToken c) => SetRunDeletedAsync(r, s, false, c));
            tracking.MapPost("/runs/search", SearchRunsAsync);
            tracking.MapPost("/runs/log-metric", LogMetricAsync);
            tracking.MapPost("/runs/log-parameter", LogParameterAsync);
            tracking.MapPost("/runs/set-tag", SetTagAsync);
            tracking.MapPost("/runs/delete-tag", DeleteTagAsync);
            tracking.MapPost("/runs/log-batch", LogBatchAsync);
            tracking.MapPost("/runs/log-model", LogModelAsync);
            tracking.MapGet("/metrics/get-history", GetHistoryAsync);
            tracking.MapGet("/artifacts/list", ListRunArtifactsAsync);
            tracking.Map("/{**rest}", (HttpRequest request) => Unknown(request));

            var artifacts = app.MapGroup($"{prefix}/mlflow-artifacts").WithTags("MLflow").ExcludeFromDescription().AddEndpointFilter(AnswerErrors);
            artifacts.MapGet("/artifacts", ListProxyArtifactsAsync);
            artifacts.MapPut("/artifacts/{**path}", UploadArtifactAsync).WithMetadata(new DisableRequestSizeLimitAttribute());
            artifacts.MapGet("/artifacts/{**path}", (string path, HttpContext context, MlflowArtifacts store, CancellationToken c) =>
                store.DownloadAsync(path, context, c));
            artifacts.Map("/{**rest}", (HttpRequest request) => Unknown(request));
        }

        return app;
    }

    private static async ValueTask<object?> AnswerErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (MlflowException exception)
        {
            return MlflowWire.Error(exception);
        }
        catch (Exception exception) when (OutageExceptionHandler.Unreachable(exception) is { } dependency)
        {
            // MLflow's clients retry 503 (with backoff) like the tracker's own clients do; a 500 would end their run.
            var http = context.HttpContext;
            if (dependency == OutageExceptionHandler.Dependency.Database)
            {
                http.RequestServices.GetRequiredService<Npgsql.NpgsqlDataSource>().Clear();
            }

            http.RequestServices.GetRequiredService<ILogger<MlflowExperimentStore>>().LogWarning(
                "MLflow request {Method} {Path}: the {Dependency} could not be reached: {Message}", http.Request.Method, http.Request.Path, dependency, exception.Message);
            http.Response.Headers.RetryAfter = OutageExceptionHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return MlflowWire.Error(new MlflowException("TEMPORARILY_UNAVAILABLE", StatusCodes.Status503ServiceUnavailable,
                $"The tracker's {(dependency == OutageExceptionHandler.Dependency.Database ? "database" : "artifact storage")} is unreachable right now; nothing was stored. Retry in a few seconds."));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            context.HttpContext.RequestServices.GetRequiredService<ILogger<MlflowExperimentStore>>()
                .LogError(exception, "MLflow request {Method} {Path} failed", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return MlflowWire.Error(new MlflowException("INTERNAL_ERROR", StatusCodes.Status500InternalServerError, "The server failed to answer: " + exception.Message));
        }
    }

    private static IResult Unknown(HttpRequest request) =>
        MlflowWire.Error(MlflowException.NoEndpoint($"No MLflow endpoint {request.Method} {request.Path} on this server."));

    private static async Task<IResult> CreateExperimentAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.CreateExperimentRequest, cancellationToken);
        return MlflowWire.Json(
            new CreateExperimentResponse(await experiments.CreateAsync(body.Name, body.Tags, cancellationToken)), MlflowJsonContext.Default.CreateExperimentResponse);
    }

    private static async Task<IResult> GetExperimentAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken) =>
        MlflowWire.Json(new ExperimentResponse(await experiments.GetAsync(Query(request, "experiment_id"), cancellationToken)), MlflowJsonContext.Default.ExperimentResponse);

    private static async Task<IResult> GetExperimentByNameAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken) =>
        MlflowWire.Json(new ExperimentResponse(await experiments.GetByNameAsync(Query(request, "experiment_name"), cancellationToken)), MlflowJsonContext.Default.ExperimentResponse);

    private static async Task<IResult> SearchExperimentsAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.SearchExperimentsRequest, cancellationToken);
        return MlflowWire.Json(
            await experiments.SearchAsync(body.ViewType, body.Filter, body.OrderBy, body.MaxResults, body.PageToken, cancellationToken),
            MlflowJsonContext.Default.ExperimentsPage);
    }

    private static async Task<IResult> SearchExperimentsFromQueryAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken) =>
        MlflowWire.Json(
            await experiments.SearchAsync(
                Query(request, "view_type"), Query(request, "filter"), request.Query["order_by"].OfType<string>().ToList(), QueryNumber(request, "max_results"),
                Query(request, "page_token"), cancellationToken),
            MlflowJsonContext.Default.ExperimentsPage);

    private static async Task<IResult> ListExperimentsAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken) =>
        MlflowWire.Json(
            await experiments.SearchAsync(Query(request, "view_type"), null, null, QueryNumber(request, "max_results"), Query(request, "page_token"), cancellationToken),
            MlflowJsonContext.Default.ExperimentsPage);

    private static async Task<IResult> UpdateExperimentAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.UpdateExperimentRequest, cancellationToken);
        await experiments.RenameAsync(body.ExperimentId, body.NewName, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> SetExperimentDeletedAsync(HttpRequest request, MlflowExperimentStore experiments, bool deleted, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.ExperimentIdRequest, cancellationToken);
        await experiments.SetDeletedAsync(body.ExperimentId, deleted, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> SetExperimentTagAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.ExperimentTagRequest, cancellationToken);
        await experiments.SetTagAsync(body.ExperimentId, body.Key, body.Value, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> DeleteExperimentTagAsync(HttpRequest request, MlflowExperimentStore experiments, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.ExperimentTagRequest, cancellationToken);
        await experiments.DeleteTagAsync(body.ExperimentId, body.Key, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> CreateRunAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.CreateRunRequest, cancellationToken);
        var run = await runs.CreateAsync(body, request.Headers.UserAgent.ToString(), cancellationToken);
        return MlflowWire.Json(new RunResponse(run), MlflowJsonContext.Default.RunResponse);
    }

    private static async Task<IResult> GetRunAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var runId = MlflowWire.ParseRunId(Query(request, "run_id"), Query(request, "run_uuid"));
        return MlflowWire.Json(new RunResponse(await runs.GetAsync(runId, cancellationToken)), MlflowJsonContext.Default.RunResponse);
    }

    private static async Task<IResult> UpdateRunAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.UpdateRunRequest, cancellationToken);
        return MlflowWire.Json(new RunInfoResponse(await runs.UpdateAsync(body, cancellationToken)), MlflowJsonContext.Default.RunInfoResponse);
    }

    private static async Task<IResult> SetRunDeletedAsync(HttpRequest request, MlflowRunStore runs, bool deleted, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.RunIdRequest, cancellationToken);
        await runs.SetDeletedAsync(body.RunId, deleted, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> SearchRunsAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.SearchRunsRequest, cancellationToken);
        return MlflowWire.Json(await runs.SearchAsync(body, cancellationToken), MlflowJsonContext.Default.RunsPage);
    }

    private static async Task<IResult> LogMetricAsync(HttpRequest request, MlflowRunDataWriter writer, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.LogMetricRequest, cancellationToken);
        var runId = MlflowWire.ParseRunId(body.RunId, body.RunUuid);
        await writer.LogAsync(runId, [new MlflowMetric(MlflowWire.Required(body.Key, "key"), body.Value, body.Timestamp, body.Step)], [], [], cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> LogParameterAsync(HttpRequest request, MlflowRunDataWriter writer, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.RunKeyValueRequest, cancellationToken);
        var runId = MlflowWire.ParseRunId(body.RunId, body.RunUuid);
        await writer.LogAsync(runId, [], [new MlflowKeyValue(body.Key, body.Value)], [], cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> SetTagAsync(HttpRequest request, MlflowRunDataWriter writer, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.RunKeyValueRequest, cancellationToken);
        var runId = MlflowWire.ParseRunId(body.RunId, body.RunUuid);
        await writer.LogAsync(runId, [], [], [new MlflowKeyValue(body.Key, body.Value)], cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> DeleteTagAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.RunKeyValueRequest, cancellationToken);
        await runs.DeleteTagAsync(MlflowWire.ParseRunId(body.RunId, body.RunUuid), MlflowWire.Required(body.Key, "key"), cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> LogBatchAsync(HttpRequest request, MlflowRunDataWriter writer, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.LogBatchRequest, cancellationToken, MaxBatchBytes);
        var runId = MlflowWire.ParseRunId(body.RunId);
        var (metrics, @params, tags) = (body.Metrics ?? [], body.Params ?? [], body.Tags ?? []);
        if (metrics.Count > MlflowRunDataWriter.MaxMetrics || @params.Count > MlflowRunDataWriter.MaxParams || tags.Count > MlflowRunDataWriter.MaxTags
            || metrics.Count + @params.Count + tags.Count > MlflowRunDataWriter.MaxEntities)
        {
            throw MlflowException.Invalid(
                $"A batch logging request can contain at most {MlflowRunDataWriter.MaxMetrics} metrics, {MlflowRunDataWriter.MaxParams} params and " +
                $"{MlflowRunDataWriter.MaxTags} tags, {MlflowRunDataWriter.MaxEntities} in all; this one has {metrics.Count} metrics, {@params.Count} params and {tags.Count} tags.");
        }

        await writer.LogAsync(runId, metrics, @params, tags, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> LogModelAsync(HttpRequest request, MlflowRunStore runs, CancellationToken cancellationToken)
    {
        var body = await MlflowWire.ReadAsync(request, MlflowJsonContext.Default.LogModelRequest, cancellationToken);
        await runs.AppendModelAsync(MlflowWire.ParseRunId(body.RunId), body.ModelJson, cancellationToken);
        return MlflowWire.Empty();
    }

    private static async Task<IResult> GetHistoryAsync(HttpRequest request, MlflowMetricHistory history, CancellationToken cancellationToken)
    {
        var runId = MlflowWire.ParseRunId(Query(request, "run_id"), Query(request, "run_uuid"));
        var key = MlflowWire.Required(Query(request, "metric_key"), "metric_key");
        var page = await history.ReadAsync(runId, key, (int?)QueryNumber(request, "max_results"), Query(request, "page_token"), cancellationToken);
        return MlflowWire.Json(page, MlflowJsonContext.Default.MetricHistory);
    }

    private static async Task<IResult> ListRunArtifactsAsync(HttpRequest request, MlflowRunStore runs, MlflowArtifacts artifacts, CancellationToken cancellationToken)
    {
        var run = await runs.GetAsync(MlflowWire.ParseRunId(Query(request, "run_id"), Query(request, "run_uuid")), cancellationToken);
        var listing = await artifacts.ListRunAsync(Guid.Parse(run.Info.RunId), run.Info.ArtifactUri, Query(request, "path"), cancellationToken);
        return MlflowWire.Json(listing, MlflowJsonContext.Default.ArtifactListing);
    }

    private static async Task<IResult> ListProxyArtifactsAsync(HttpRequest request, MlflowArtifacts artifacts, CancellationToken cancellationToken) =>
        MlflowWire.Json(await artifacts.ListProxyAsync(Query(request, "path"), cancellationToken), MlflowJsonContext.Default.ArtifactListing);

    private static async Task<IResult> UploadArtifactAsync(string path, HttpRequest request, MlflowArtifacts artifacts, CancellationToken cancellationToken)
    {
        await artifacts.UploadAsync(path, request, cancellationToken);
        return MlflowWire.Empty();
    }

    private static string? Query(HttpRequest request, string name) => request.Query.TryGetValue(name, out var value) ? value.ToString() : null;

    private static long? QueryNumber(HttpRequest request, string name) =>
        Query(request, name) is not { Length: > 0 } text ? null
        : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw MlflowException.Invalid($"Invalid value '{text}' for parameter '{name}': an integer.");
}
