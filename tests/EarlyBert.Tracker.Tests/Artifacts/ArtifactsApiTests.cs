using System.Net;
using System.Security.Cryptography;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class ArtifactsApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Uploaded_artifact_is_listed_and_downloads_with_the_same_bytes_and_sha256()
    {
        var run = await tracker.NewRunAsync();
        var bytes = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 17);
        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var stored = await client.UploadArtifactAsync(run.Id, "checkpoints/step-100/model.safetensors", new MemoryStream(bytes), "application/octet-stream", CancellationToken.None);
        await client.UploadArtifactAsync(run.Id, "config.json", new MemoryStream("{}"u8.ToArray()), "application/json", CancellationToken.None);
        using var copy = new MemoryStream();
        var headerSha = await client.DownloadArtifactAsync(run.Id, "checkpoints/step-100/model.safetensors", copy, CancellationToken.None);
        var listed = await client.ListArtifactsAsync(run.Id, CancellationToken.None);

        Assert.Equal(expected, stored.Sha256);
        Assert.Equal(bytes.Length, stored.Size);
        Assert.Equal(expected, headerSha);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(["checkpoints/step-100/model.safetensors", "config.json"], listed.Select(a => a.Path));
        Assert.Equal("application/json", listed[1].ContentType);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../b")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/windows/file")]
    [InlineData("dir\\file")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("./here")]
    [InlineData("bell\u0007")]
    [InlineData("")]
    public async Task Bad_artifact_path_is_400_and_stores_nothing(string path)
    {
        var run = await tracker.NewRunAsync();
        using var http = tracker.CreateClient();

        using var response = await http.PutAsync(
            $"/api/runs/{run.Id}/artifacts/content?path={Uri.EscapeDataString(path)}", new ByteArrayContent([1, 2, 3]));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("path", problem.GetRawText());
        Assert.Empty(await client.ListArtifactsAsync(run.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Over_long_path_is_400()
    {
        var run = await tracker.NewRunAsync();

        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.UploadArtifactAsync(run.Id, string.Join('/', Enumerable.Repeat(new string('a', 200), 6)), new MemoryStream([1]), "text/plain", CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task Missing_artifact_and_unknown_run_are_404()
    {
        var run = await tracker.NewRunAsync();

        var missing = await Assert.ThrowsAsync<TrackerApiException>(() => client.DownloadArtifactAsync(run.Id, "nope.bin", Stream.Null, CancellationToken.None));
        var unknownRun = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.UploadArtifactAsync(Guid.NewGuid(), "a.txt", new MemoryStream([1]), "text/plain", CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
    }
}
