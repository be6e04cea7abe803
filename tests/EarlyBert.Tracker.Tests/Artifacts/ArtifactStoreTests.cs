using System.Security.Cryptography;
using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class ArtifactStoreTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private ArtifactStore Store => tracker.Services.GetRequiredService<ArtifactStore>();

    [Fact]
    public async Task Stored_object_reads_back_with_the_same_bytes_and_checksum()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var key = $"runs/{Guid.NewGuid()}/weights.bin";

        var stored = await Store.PutAsync(key, new MemoryStream(bytes), "application/octet-stream", CancellationToken.None);
        using var copy = new MemoryStream();
        var read = await Store.GetAsync(key, stored, copy, CancellationToken.None);

        var expected = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(expected, stored.Sha256);
        Assert.Equal(bytes.Length, stored.Size);
        Assert.NotNull(read);
        Assert.Equal(expected, read.Sha256);
        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public async Task Stream_of_unknown_length_over_the_multipart_threshold_is_stored_whole()
    {
        var bytes = RandomNumberGenerator.GetBytes(12 * 1024 * 1024 + 123);
        var key = $"runs/{Guid.NewGuid()}/checkpoint/model.safetensors";

        var stored = await Store.PutAsync(key, new UnseekableStream(bytes), "application/octet-stream", CancellationToken.None);
        using var copy = new MemoryStream();
        var read = await Store.GetAsync(key, stored, copy, CancellationToken.None);

        Assert.Equal(bytes.Length, stored.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), read!.Sha256);
        Assert.Equal(bytes.Length, copy.Length);
    }

    [Fact]
    public async Task Missing_object_reads_as_null()
    {
        var read = await Store.GetAsync($"runs/{Guid.NewGuid()}/absent.txt", new StoredObject(0, ""), Stream.Null, CancellationToken.None);

        Assert.Null(read);
    }

    /// <summary>A stream that, like an HTTP request body, cannot tell its length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
