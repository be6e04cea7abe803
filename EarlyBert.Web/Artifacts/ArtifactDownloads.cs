using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Artifacts;

namespace EarlyBert.Web.Artifacts;

/// <summary>
/// <c>GET /runs/{runId}/artifacts/download?path=…</c>: a run's artifact streamed from the tracker through the dashboard,
/// so that a browser downloads it from the only address it knows (the tracker is not published to browsers).
/// </summary>
public static class ArtifactDownloads
{
    /// <summary>The address that downloads <paramref name="path"/> of run <paramref name="runId"/>.</summary>
    public static string Href(Guid runId, string path) =>
        $"/runs/{runId}/artifacts/download?path={Uri.EscapeDataString(path)}";

    /// <summary>Maps the download endpoint.</summary>
    public static IEndpointRouteBuilder MapArtifactDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/runs/{runId:guid}/artifacts/download", DownloadAsync).WithName("DownloadArtifact");
        return app;
    }

    /// <summary>
    /// Looks the artifact up in the run's list (for its type, size and hash, which must be sent before the bytes),
    /// then streams its content from the tracker into the response. 404 when the run or the artifact does not exist, 502
    /// when the tracker fails.
    /// </summary>
    public static async Task<IResult> DownloadAsync(
        Guid runId, string? path, TrackerClient tracker, HttpResponse response, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Results.BadRequest("Say which artifact to download: ?path=…");
        }

        ArtifactInfo? info;
        try
        {
            var artifacts = await tracker.ListArtifactsAsync(runId, cancellationToken);
            info = artifacts.FirstOrDefault(a => string.Equals(a.Path, path, StringComparison.Ordinal));
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return Results.NotFound($"There is no run {runId}.");
        }
        catch (Exception exception) when (exception is TrackerApiException or HttpRequestException)
        {
            // The browser asked the dashboard; the dashboard's upstream failed: a gateway error, with the reason.
            loggers.CreateLogger(typeof(ArtifactDownloads)).LogWarning(exception, "Listing artifacts of run {RunId} failed", runId);
            return Results.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway, title: "The tracker could not be asked");
        }

        if (info is null)
        {
            return Results.NotFound($"Run {runId} has no artifact {path}.");
        }

        response.Headers[TrackerClient.Sha256Header] = info.Sha256;
        response.ContentLength = info.Size;
        var logger = loggers.CreateLogger(typeof(ArtifactDownloads));
        return Results.Stream(async body =>
        {
            var sha256 = await tracker.DownloadArtifactAsync(runId, path, body, cancellationToken);
            if (!string.Equals(sha256, info.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                // The headers are gone by now; the length check or the browser's copy is all that can still fail.
                logger.LogWarning("Artifact {Path} of run {RunId} was listed with sha256 {Listed} but served with {Served}",
                    path, runId, info.Sha256, sha256);
            }
        }, string.IsNullOrEmpty(info.ContentType) ? "application/octet-stream" : info.ContentType, Path.GetFileName(path));
    }
}
