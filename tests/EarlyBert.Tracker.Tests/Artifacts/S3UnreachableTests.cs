using System.Security.Cryptography;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class S3UnreachableTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task With_S3_unreachable_an_upload_is_a_503_that_changes_no_row_and_a_download_fails_before_its_headers()
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

        // The exception reached the tracker's outage handling (503 ProblemDetails, Retry-After), not an answer of the
        // artifact code's own.
        foreach (var (what, response) in new[] { ("upload", upload), ("download", download) })
        {
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, $"{what}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            Assert.Contains("\"dependency\":\"artifacts\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await tracker.RowAsync(run.Id, "model.bin"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("the artifact sweep will remove it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_S3_unreachable_an_MLflow_artifact_upload_is_MLflow_TEMPORARILY_UNAVAILABLE_503_with_Retry_After_and_no_row()
    {
        var experiment = await tracker.Client().EnsureExperimentAsync($"mlflow-s3-{Guid.NewGuid():N}", null, CancellationToken.None);
        var run = await tracker.Client().CreateRunAsync(new Client.Runs.CreateRun(experiment.Name, null, Client.Runs.RunStatuses.Running), CancellationToken.None);
        using var cutOff = tracker.WithWebHostBuilder(builder =>
            builder.UseSetting("ConnectionStrings:artifacts", "Endpoint=http://127.0.0.1:9;AccessKey=unused;SecretKey=unused"));
        using var http = cutOff.CreateClient();

        using var upload = await http.PutAsync(
            $"/api/2.0/mlflow-artifacts/artifacts/{experiment.Id}/{run.Id:N}/artifacts/model.bin", new ByteArrayContent(RandomNumberGenerator.GetBytes(1000)));

        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable, $"{upload.StatusCode}: {body}");
        Assert.Equal(TimeSpan.FromSeconds(2), upload.Headers.RetryAfter?.Delta);
        using var error = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal("TEMPORARILY_UNAVAILABLE", error.RootElement.GetProperty("error_code").GetString());
        Assert.Contains("artifact storage", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(await tracker.RowAsync(run.Id, "model.bin"));
    }
}
