using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly.Timeout;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class SlowTransferTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Upload_slower_than_the_api_timeouts_completes_through_the_registered_client_and_a_cut_one_stores_nothing()
    {
        var run = await tracker.NewRunAsync();
        var services = new ServiceCollection();
        // The service defaults' resilience, with timeouts shortened so that a 3-second upload outlasts them.
        services.ConfigureHttpClientDefaults(http =>
        {
            http.ConfigurePrimaryHttpMessageHandler(() => tracker.Server.CreateHandler());
            http.AddStandardResilienceHandler(options =>
            {
                options.Retry.DisableForUnsafeHttpMethods();
                options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(1);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(2);
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(2);
            });
        });
        services.AddTrackerClient("http://localhost", tracker.AdminKey);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<TrackerClient>();

        var stored = await client.UploadArtifactAsync(run.Id, "checkpoint/model.safetensors", new SlowStream(6, TimeSpan.FromMilliseconds(500)), "application/octet-stream", CancellationToken.None);

        Assert.Equal(6 * SlowStream.ChunkSize, stored.Size);
        var apiOnly = new TrackerClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(TrackerClient)));
        var cut = await Record.ExceptionAsync(() =>
            apiOnly.UploadArtifactAsync(run.Id, "cut.bin", new SlowStream(6, TimeSpan.FromMilliseconds(500)), "application/octet-stream", CancellationToken.None));
        // The attempt timeout aborts the request; the in-memory test server reports that as the client aborting.
        Assert.True(cut is TimeoutRejectedException or HttpRequestException { InnerException: IOException }, $"the upload should be cut, not: {cut}");
        Assert.Equal(["checkpoint/model.safetensors"], (await client.ListArtifactsAsync(run.Id, CancellationToken.None)).Select(a => a.Path));
    }

    /// <summary>A body that arrives in chunks with a pause before each, like a large file over a slow link.</summary>
    private sealed class SlowStream(int chunks, TimeSpan pause) : Stream
    {
        public const int ChunkSize = 64 * 1024;
        private int sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (sent == chunks * ChunkSize)
            {
                return 0;
            }

            if (sent % ChunkSize == 0)
            {
                await Task.Delay(pause, cancellationToken);
            }

            var count = Math.Min(buffer.Length, ChunkSize - sent % ChunkSize);
            buffer.Span[..count].Fill((byte)(sent / ChunkSize));
            sent += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
