using System.Net;
using System.Text;
using EarlyBert.Tracker.Client;
using EarlyBert.Web.Artifacts;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EarlyBert.Web.Tests.Artifacts;

public sealed class ArtifactDownloadsTests
{
    private static readonly Guid RunId = Guid.Parse("6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a");
    private readonly CannedTracker tracker = new();

    private TrackerClient Client => new(new HttpClient(tracker) { BaseAddress = new Uri("http://tracker/") });

    private static DefaultHttpContext Context() => new()
    {
        RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        Response = { Body = new MemoryStream() },
    };

    [Fact]
    public async Task An_artifact_streams_from_the_tracker_with_its_name_type_length_and_hash()
    {
        // The recorded hash is the content's: the client checks the bytes against it as they arrive.
        var sha256 = CannedTracker.Sha256("{\"a\": true}");
        tracker.Json($"api/runs/{RunId}/artifacts", $$"""
            [{"path":"model/config.json","size":11,"sha256":"{{sha256}}","contentType":"application/json","createdAt":"2025-01-02T04:06:00+00:00"}]
            """);
        tracker.Content($"api/runs/{RunId}/artifacts/content?path=model/config.json", "{\"a\": true}");
        var context = Context();

        var result = await ArtifactDownloads.DownloadAsync(RunId, "model/config.json", Client, context.Response, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal("{\"a\": true}", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
        Assert.Equal("application/json", context.Response.ContentType);
        Assert.Equal(11, context.Response.ContentLength);
        Assert.Equal(sha256, context.Response.Headers[TrackerClient.Sha256Header]);
        Assert.Contains("filename=config.json", context.Response.Headers.ContentDisposition.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_the_run_does_not_have_is_a_404()
    {
        tracker.Json($"api/runs/{RunId}/artifacts", "[]");
        var context = Context();

        var result = await ArtifactDownloads.DownloadAsync(RunId, "nope.bin", Client, context.Response, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.DoesNotContain(tracker.Requests, r => r.Contains("/content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_run_is_a_404()
    {
        tracker.Problem($"api/runs/{RunId}/artifacts", HttpStatusCode.NotFound, "Run not found");
        var context = Context();

        var result = await ArtifactDownloads.DownloadAsync(RunId, "README.md", Client, context.Response, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
    }

    [Fact]
    public async Task An_unreachable_tracker_is_a_502()
    {
        tracker.Unreachable($"api/runs/{RunId}/artifacts");
        var context = Context();

        var result = await ArtifactDownloads.DownloadAsync(RunId, "README.md", Client, context.Response, NullLoggerFactory.Instance, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }
}
