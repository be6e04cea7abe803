using System.Security.Cryptography;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class ArtifactVerificationTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task Object_corrupted_in_S3_breaks_the_download_and_the_error_log_names_both_hashes(int sizeChange)
    {
        var run = await tracker.NewRunAsync();
        var original = RandomNumberGenerator.GetBytes(300_000);
        await client.UploadArtifactAsync(run.Id, "model.bin", new MemoryStream(original), "application/octet-stream", CancellationToken.None);
        var row = (await tracker.RowAsync(run.Id, "model.bin"))!.Value;
        var corrupted = original.ToArray();
        corrupted[150_000] ^= 0xFF;
        corrupted = sizeChange switch { < 0 => corrupted[..^1], > 0 => [.. corrupted, 7], _ => corrupted };
        await tracker.Store().PutAsync(row.ObjectKey, new MemoryStream(corrupted), "application/octet-stream", CancellationToken.None);
        var logs = new LogSink();
        using var logged = tracker.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        var reader = new TrackerClient(logged.CreateClient());

        using var copy = new MemoryStream();
        var failure = await Record.ExceptionAsync(() => reader.DownloadArtifactAsync(run.Id, "model.bin", copy, CancellationToken.None));

        Assert.True(failure is IOException or HttpRequestException, $"the download should break, not: {failure?.ToString() ?? "a clean end"}");
        Assert.True(copy.Length < original.Length, $"the client received {copy.Length} of {original.Length} bytes");
        var error = Assert.Single(logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(row.ObjectKey, StringComparison.Ordinal));
        Assert.Contains(row.Sha256, error.Message);
        Assert.Contains(ArtifactFixtures.Sha256(corrupted), error.Message);
    }

    [Fact]
    public async Task Object_missing_in_S3_breaks_the_download()
    {
        var run = await tracker.NewRunAsync();
        await client.UploadArtifactAsync(run.Id, "gone.bin", new MemoryStream(RandomNumberGenerator.GetBytes(1000)), "application/octet-stream", CancellationToken.None);
        await tracker.Store().DeleteAsync((await tracker.RowAsync(run.Id, "gone.bin"))!.Value.ObjectKey, CancellationToken.None);

        var failure = await Record.ExceptionAsync(() => client.DownloadArtifactAsync(run.Id, "gone.bin", Stream.Null, CancellationToken.None));

        // Aborted before the headers went out: the in-memory test server reports that as the request being cancelled.
        Assert.True(failure is IOException or HttpRequestException or OperationCanceledException, $"the download should break, not: {failure?.ToString() ?? "a clean end"}");
    }

    [Fact]
    public async Task Intact_artifact_downloads_whole_including_an_empty_one()
    {
        var run = await tracker.NewRunAsync();
        var bytes = RandomNumberGenerator.GetBytes(81_920 * 3);
        await client.UploadArtifactAsync(run.Id, "exact-chunks.bin", new MemoryStream(bytes), "application/octet-stream", CancellationToken.None);
        await client.UploadArtifactAsync(run.Id, "empty.txt", new MemoryStream(), "text/plain", CancellationToken.None);

        using var copy = new MemoryStream();
        var sha = await client.DownloadArtifactAsync(run.Id, "exact-chunks.bin", copy, CancellationToken.None);
        using var empty = new MemoryStream();
        var emptySha = await client.DownloadArtifactAsync(run.Id, "empty.txt", empty, CancellationToken.None);

        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal(ArtifactFixtures.Sha256(bytes), sha);
        Assert.Equal(0, empty.Length);
        Assert.Equal(ArtifactFixtures.Sha256([]), emptySha);
    }
}
