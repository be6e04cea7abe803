using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Artifacts;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using EarlyBert.Tracker.RunData;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;

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
            .WithSummary("Stores the request body as the artifact at ?path=, streamed to S3 and hashed on the way.")
            .WithMetadata(new DisableRequestSizeLimitAttribute());
        group.MapGet("/content", DownloadAsync)
            .WithName("DownloadArtifact")
            .WithSummary($"Streams the artifact at ?path=, with its SHA-256 in the {TrackerClient.Sha256Header} header.");
        return app;
    }

    private static async Task<Results<Ok<List<ArtifactInfo>>, ProblemHttpResult>> ListAsync(
        Guid runId, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT path, size, sha256, content_type, created_at FROM artifacts WHERE run_id = $1 ORDER BY path")
        {
            Parameters = { new NpgsqlParameter { Value = runId } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 FROM runs WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = runId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var artifacts = new List<ArtifactInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            artifacts.Add(new ArtifactInfo(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        await reader.NextResultAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? TypedResults.Ok(artifacts) : Problems.NotFound($"There is no run {runId}.");
    }

    private static async Task<Results<Ok<ArtifactInfo>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        Guid runId, string? path, HttpRequest request, NpgsqlDataSource dataSource, ArtifactStore store, TimeProvider time,
        IOptions<TrackerOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        await using (var exists = dataSource.CreateCommand("SELECT status FROM runs WHERE id = $1"))
        {
            exists.Parameters.AddWithValue(runId);
            switch (await exists.ExecuteScalarAsync(cancellationToken))
            {
                case null:
                    return Problems.NotFound($"There is no run {runId}.");
                case string status when RunBatchWriter.TakesNoData(status):
                    return Problems.Conflict($"Run {runId} is {status}: an ended run takes no more artifacts.");
            }
        }

        var stored = await store.PutAsync(ArtifactPath.ObjectKey(runId, path!), request.Body, contentType, cancellationToken, request.ContentLength);
        var artifact = new ArtifactInfo(path!, stored.Size, stored.Sha256, contentType, time.GetUtcNow());
        await using (var record = dataSource.CreateCommand(
            """
            INSERT INTO artifacts (run_id, path, size, sha256, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                content_type = excluded.content_type, created_at = excluded.created_at
            """))
        {
            record.Parameters.AddWithValue(runId);
            record.Parameters.AddWithValue(artifact.Path);
            record.Parameters.AddWithValue(artifact.Size);
            record.Parameters.AddWithValue(artifact.Sha256);
            record.Parameters.AddWithValue(artifact.ContentType);
            record.Parameters.AddWithValue(artifact.CreatedAt);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        loggers.CreateLogger(typeof(ArtifactsApi)).LogInformation(
            "Stored artifact {Path} of run {RunId}: {Size} bytes, sha256 {Sha256}", artifact.Path, runId, artifact.Size, artifact.Sha256);
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
        Guid runId, string? path, HttpContext context, NpgsqlDataSource dataSource, ArtifactStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (ArtifactPath.Check(path) is { } problem)
        {
            return Problems.Invalid("path", problem);
        }

        await using var command = dataSource.CreateCommand("SELECT size, sha256, content_type FROM artifacts WHERE run_id = $1 AND path = $2");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(path!);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return Problems.NotFound($"Run {runId} has no artifact '{path}' (or there is no such run).");
        }

        var (size, sha256, contentType) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
        context.Response.Headers[TrackerClient.Sha256Header] = sha256;
        context.Response.ContentLength = size;
        return TypedResults.Stream(async body =>
        {
            if (await store.GetAsync(ArtifactPath.ObjectKey(runId, path!), body, context.RequestAborted) is null)
            {
                loggers.CreateLogger(typeof(ArtifactsApi)).LogError("Artifact {Path} of run {RunId} is recorded but missing in S3", path, runId);
                context.Abort();
            }
        }, contentType);
    }
}
