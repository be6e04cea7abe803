using System.Security.Cryptography;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolArtifactTests : SpoolTestBase
{
    [Fact]
    public async Task The_spooled_copy_is_sent_even_when_the_source_is_overwritten_or_deleted_after_append()
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var source = Path.Combine(Root, "model.safetensors");
        var original = RandomNumberGenerator.GetBytes(300_000);
        var replaced = RandomNumberGenerator.GetBytes(1_000);
        await File.WriteAllBytesAsync(source, original);
        spool.AppendArtifact(runId, "checkpoints/step-100/model.safetensors", source, "application/octet-stream");
        await File.WriteAllBytesAsync(source, replaced);
        spool.AppendArtifact(runId, "checkpoints/step-200/model.safetensors", source, "application/octet-stream");
        File.Delete(source);
        Assert.True(spool.BytesUsed >= original.Length + replaced.Length);

        var sink = new FakeTrackerSink();
        await using (StartDrainer(spool, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await spool.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Collection(sink.Delivered,
            first =>
            {
                Assert.Equal("checkpoints/step-100/model.safetensors", first.ArtifactPath);
                Assert.Equal(original, first.Content);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), first.ContentSha256);
                Assert.Equal(first.ContentSha256, first.SpooledSha256);
            },
            second =>
            {
                Assert.Equal("checkpoints/step-200/model.safetensors", second.ArtifactPath);
                Assert.Equal(replaced, second.Content);
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(replaced)), second.SpooledSha256);
            });

        // Sent copies are deleted and no longer counted.
        Assert.Empty(Directory.GetFiles(Path.Combine(RunFolder(runId), "artifacts")));
        Assert.True(spool.BytesUsed < replaced.Length, $"{spool.BytesUsed} bytes still counted");
    }
}
