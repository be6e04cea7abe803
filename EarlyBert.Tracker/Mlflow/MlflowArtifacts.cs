using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Client;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's artifact proxy (<c>mlflow-artifacts</c>) over the tracker's run artifacts: a run's <c>artifact_uri</c> is
/// <c>mlflow-artifacts:/&lt;experiment&gt;/&lt;run&gt;/artifacts</c>, which clients resolve to
/// <c>/api/2.0/mlflow-artifacts/artifacts/&lt;experiment&gt;/&lt;run&gt;/artifacts/&lt;path&gt;</c>; the bytes go to S3 as
/// every other artifact (<c>runs/{runId}/{path}</c>, hashed with SHA-256 on the way) and are listed in <c>artifacts</c>.
/// </summary>
public sealed class MlflowArtifacts(
    NpgsqlDataSource dataSource, ArtifactStore store, TimeProvider time, IOptions<TrackerOptions> options, ILogger<MlflowArtifacts> logger)
{
    private const string DefaultContentType = "application/octet-stream";

    /// <summary>Stores the request body as the run artifact that <paramref name="proxyPath"/> names.</summary>
    public async Task UploadAsync(string proxyPath, HttpRequest request, CancellationToken cancellationToken)
    {
        if (ArtifactsApi.LimitBody(request.HttpContext, options.Value.MaxArtifactBytes) is not null)
        {
            throw MlflowException.Invalid(
                $"The artifact is {request.ContentLength} bytes; this tracker takes at most {options.Value.MaxArtifactBytes} (Tracker:MaxArtifactBytes).");
        }

        var (runId, path) = await ResolveFileAsync(proxyPath, cancellationToken);
        var contentType = string.IsNullOrWhiteSpace(request.ContentType) || request.ContentType.Length > 255 ? DefaultContentType : request.ContentType;
        var stored = await store.PutAsync(ArtifactPath.ObjectKey(runId, path), request.Body, contentType, cancellationToken, request.ContentLength);
        await using var record = dataSource.CreateCommand(
            """
            INSERT INTO artifacts (run_id, path, size, sha256, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (run_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                content_type = excluded.content_type, created_at = excluded.created_at
            """);
        record.Parameters.AddWithValue(runId);
        record.Parameters.AddWithValue(path);
        record.Parameters.AddWithValue(stored.Size);
        record.Parameters.AddWithValue(stored.Sha256);
        record.Parameters.AddWithValue(contentType);
        record.Parameters.AddWithValue(time.GetUtcNow());
        await record.ExecuteNonQueryAsync(cancellationToken);
        logger.LogInformation("Stored artifact {Path} of run {RunId} through the MLflow API: {Size} bytes, sha256 {Sha256}", path, runId, stored.Size, stored.Sha256);
    }

    /// <summary>Streams the artifact <paramref name="proxyPath"/> names, with its SHA-256 in a header.</summary>
    public async Task<IResult> DownloadAsync(string proxyPath, HttpContext context, CancellationToken cancellationToken)
    {
        var (runId, path) = await ResolveFileAsync(proxyPath, cancellationToken);
        await using var command = dataSource.CreateCommand("SELECT size, sha256, content_type FROM artifacts WHERE run_id = $1 AND path = $2");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw MlflowException.NotFound($"Artifact '{proxyPath}' does not exist.");
        }

        var (size, sha256, contentType) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2));
        context.Response.Headers[TrackerClient.Sha256Header] = sha256;
        context.Response.ContentLength = size;
        return TypedResults.Stream(async body =>
        {
            if (await store.GetAsync(ArtifactPath.ObjectKey(runId, path), body, context.RequestAborted) is null)
            {
                logger.LogError("Artifact {Path} of run {RunId} is recorded but missing in S3", path, runId);
                context.Abort();
            }
        }, contentType);
    }

    /// <summary>The <c>mlflow-artifacts</c> listing: the children of <paramref name="proxyPath"/>, named by their last segment.</summary>
    public async Task<ArtifactListing> ListProxyAsync(string? proxyPath, CancellationToken cancellationToken)
    {
        var segments = (proxyPath ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 3 || segments[2] != "artifacts" || !Guid.TryParse(segments[1], out var runId))
        {
            // Above a run's artifact root there is nothing this server lists.
            return new ArtifactListing(null, [], null);
        }

        var prefix = string.Join('/', segments.Skip(3));
        var children = await ChildrenAsync(runId, prefix, cancellationToken);
        return new ArtifactListing(null, children.Select(c => c with { Path = c.Path[(c.Path.LastIndexOf('/') + 1)..] }).ToList(), null);
    }

    /// <summary><c>artifacts/list</c>: the children of <paramref name="path"/> in a run, paths from the run's root.</summary>
    public async Task<ArtifactListing> ListRunAsync(Guid runId, string rootUri, string? path, CancellationToken cancellationToken) =>
        new(rootUri, await ChildrenAsync(runId, (path ?? "").Trim('/'), cancellationToken), null);

    private async Task<List<MlflowFileInfo>> ChildrenAsync(Guid runId, string prefix, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT path, size FROM artifacts WHERE run_id = $1 AND ($2 = '' OR starts_with(path, $2 || '/')) ORDER BY path");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var children = new List<MlflowFileInfo>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        var start = prefix.Length == 0 ? 0 : prefix.Length + 1;
        while (await reader.ReadAsync(cancellationToken))
        {
            var path = reader.GetString(0);
            var slash = path.IndexOf('/', start);
            if (slash < 0)
            {
                children.Add(new MlflowFileInfo(path, false, reader.GetInt64(1)));
            }
            else if (folders.Add(path[..slash]))
            {
                children.Add(new MlflowFileInfo(path[..slash], true, null));
            }
        }

        return children;
    }

    // <experiment>/<run>/artifacts/<path> → the run and the artifact path within it; the run must exist.
    private async Task<(Guid RunId, string Path)> ResolveFileAsync(string proxyPath, CancellationToken cancellationToken)
    {
        var segments = proxyPath.Split('/', 4);
        if (segments.Length < 4 || segments[2] != "artifacts" || !Guid.TryParse(segments[1], out var runId))
        {
            throw MlflowException.Invalid(
                $"Artifact path '{proxyPath}' is not inside a run's artifact root: this server stores artifacts as <experiment>/<run>/artifacts/<path>.");
        }

        if (ArtifactPath.Check(segments[3]) is { } problem)
        {
            throw MlflowException.Invalid(problem);
        }

        await using var exists = dataSource.CreateCommand("SELECT 1 FROM runs WHERE id = $1");
        exists.Parameters.AddWithValue(runId);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw MlflowException.NotFound($"Run '{segments[1]}' not found");
        }

        return (runId, segments[3]);
    }
}
