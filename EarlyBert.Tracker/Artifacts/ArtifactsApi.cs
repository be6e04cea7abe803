using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Artifacts;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.RunData;
using EarlyBert.Tracker.Runs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>Endpoints over a run's artifacts: streamed upload and download, listing.</summary>
public static class ArtifactsApi
{
    private const string DefaultContentType = "application/octet-stream";

    /// <summary>Maps <c>/api/runs/{runId}/artifacts…</c>.</summary>
    public static IEndpointRouteBuilder MapArtifactsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs/{runId:guid}/artifacts").WithTags("Artifacts");
        group.MapGet("/", ListAsync)
            .WithName("ListArtifacts")
            .WithSummary("Lists a run's artifacts by path.");
        group.MapPut("/content", UploadAsync)
            .WithName("UploadArtifact")
            .WithSummary("Stores the request body as the artifact at ?path=, streamed to S3 and hashed on the way; a failed upload changes nothing.")
            .WithMetadata(new DisableRequestSizeLimitAttribute());
        group.MapGet("/content", DownloadAsync)
            .WithName("DownloadArtifact")
            .WithSummary($"Streams the artifact at ?path=, with its SHA-256 in the {TrackerClient.Sha256Header} header; bytes that do not match it break the transfer.");
        return app;
    }

    private static async Task<Results<Ok<List<ArtifactInfo>>, ProblemHttpResult>> ListAsync(
        Guid runId, ArtifactReader artifacts, CancellationToken cancellationToken) =>
        await artifacts.ListAsync(runId, cancellationToken) is { } list ? TypedResults.Ok(list) : Problems.NotFound($"There is no run {runId}.");

    private static async Task<Results<Ok<ArtifactInfo>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        Guid runId, string? path, HttpRequest request, RunQueries runs, ArtifactWriter writer,
        IOptions<TrackerOptions> options, CancellationToken cancellationToken)
    {
        if (LimitBody(request.HttpContext, options.Value.MaxArtifactBytes) is { } tooLarge)
        {
            return tooLarge;
        }

        if (ArtifactPath.Check(path) is { } problem)
        {
            return Problems.Invalid("path", problem);
        }

        var contentType = string.IsNullOrWhiteSpace(request.ContentType) ? DefaultContentType : request.ContentType;
        if (contentType.Length > 255)
        {
            return Problems.Invalid("contentType", "A content type is at most 255 characters.");
        }

        switch (await runs.GetStatusAsync(runId, cancellationToken))
        {
            case null:
                return Problems.NotFound($"There is no run {runId}.");
            case { } status when RunBatchWriter.TakesNoData(status):
                return Problems.Conflict($"Run {runId} is {status}: an ended run takes no more artifacts.");
        }

        var artifact = await writer.WriteAsync(runId, path!, request.Body, contentType, request.ContentLength, cancellationToken);
        return TypedResults.Ok(artifact);
    }

    /// <summary>
    /// A 413 when the declared body is over <paramref name="maxBytes"/>; else the server is told to stop reading
    /// after that many bytes (Kestrel then fails the read with 413).
    /// </summary>
    internal static ProblemHttpResult? LimitBody(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            return TypedResults.Problem(
                $"The artifact is {context.Request.ContentLength} bytes; this tracker takes at most {maxBytes} (Tracker:MaxArtifactBytes).",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Artifact too large");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        return null;
    }

    private static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> DownloadAsync(
        Guid runId, string? path, HttpContext context, ArtifactReader reader, CancellationToken cancellationToken)
    {
        if (ArtifactPath.Check(path) is { } problem)
        {
            return Problems.Invalid("path", problem);
        }

        return await reader.FindAsync(runId, path!, cancellationToken) is { } artifact
            ? reader.Stream(runId, path!, artifact, context)
            : Problems.NotFound($"Run {runId} has no artifact '{path}' (or there is no such run).");
    }
}
