using System.Security.Cryptography;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class S3UnreachableTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task With_S3_unreachable_an_upload_is_a_server_error_that_changes_no_row_and_a_download_fails_before_its_headers()
    {
        var run = await tracker.NewRunAsync();
        await tracker.Client().UploadArtifactAsync(run.Id, "model.bin", new MemoryStream([1, 2, 3]), "application/octet-stream", CancellationToken.None);
        var before = await tracker.RowAsync(run.Id, "model.bin");
        var logs = new LogSink();
        // The same database, and an S3 endpoint where nothing listens.
        using var cutOff = tracker.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ConnectionStrings:artifacts", "Endpoint=http://127.0.0.1:9;AccessKey=unused;SecretKey=unused");
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        });
        using var http = cutOff.CreateClient();

        using var upload = await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=model.bin", new ByteArrayContent(RandomNumberGenerator.GetBytes(1000)));
        using var download = await http.GetAsync($"/api/runs/{run.Id}/artifacts/content?path=model.bin");

        // 500 here; 503 once S3 being unreachable is answered as unavailability. Either way the exception reached the
        // tracker's error handling (ProblemDetails), not an answer of the artifact code's own.
        Assert.True((int)upload.StatusCode >= 500, $"upload: {upload.StatusCode}");
        Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        Assert.True((int)download.StatusCode >= 500, $"download: {download.StatusCode}");
        Assert.Equal("application/problem+json", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await tracker.RowAsync(run.Id, "model.bin"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("the artifact sweep will remove it", StringComparison.Ordinal));
    }
}
