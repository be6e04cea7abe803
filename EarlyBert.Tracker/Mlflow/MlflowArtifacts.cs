using EarlyBert.Tracker.Artifacts;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// MLflow's artifact proxy (<c>mlflow-artifacts</c>) over the tracker's run artifacts: a run's <c>artifact_uri</c> is
/// <c>mlflow-artifacts:/&lt;experiment&gt;/&lt;run&gt;/artifacts</c>, which clients resolve to
/// <c>/api/2.0/mlflow-artifacts/artifacts/&lt;experiment&gt;/&lt;run&gt;/artifacts/&lt;path&gt;</c>; the bytes are written and
/// read by the same <see cref="ArtifactWriter"/> and <see cref="ArtifactReader"/> as every other artifact (an S3 object
/// of their own per upload, hashed with SHA-256 on the way, verified on the way back) and are listed in <c>artifacts</c>.
/// </summary>
public sealed class MlflowArtifacts(
    NpgsqlDataSource dataSource, ArtifactWriter writer, ArtifactReader reader, IOptions<TrackerOptions> options)
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
        await writer.WriteAsync(runId, path, request.Body, contentType, request.ContentLength, cancellationToken);
    }

    /// <summary>Streams the artifact <paramref name="proxyPath"/> names, with its SHA-256 in a header, verified on the way.</summary>
    public async Task<IResult> DownloadAsync(string proxyPath, HttpContext context, CancellationToken cancellationToken)
    {
        var (runId, path) = await ResolveFileAsync(proxyPath, cancellationToken);
        var artifact = await reader.FindAsync(runId, path, cancellationToken) ?? throw MlflowException.NotFound($"Artifact '{proxyPath}' does not exist.");
        return reader.Stream(runId, path, artifact, context);
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
