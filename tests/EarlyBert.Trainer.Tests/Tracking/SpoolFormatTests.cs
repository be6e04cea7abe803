using System.Text;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolFormatTests : SpoolTestBase
{
    [Fact]
    public void Crc32_is_the_zlib_checksum() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Folder_flushes_really_reach_the_C_library()
    {
        DirectorySync.Flush(Root);
        if (!OperatingSystem.IsWindows())
        {
            // Only an fsync that is really called can fail on a folder that is not there.
            Assert.Throws<IOException>(() => DirectorySync.Flush(Path.Combine(Root, "missing")));
        }
    }

    [Fact]
    public void A_spooled_batch_reads_back_exactly_NaN_and_infinities_included()
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var batch = new RunBatch(
            Guid.NewGuid(),
            Metrics: [new MetricPoint("train/loss", 3, double.NaN, 0.5, DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture))],
            Params: new Dictionary<string, string> { ["learning_rate"] = "2e-5" },
            Series: [new MetricColumns("grad_norm", [1, 2], [double.PositiveInfinity, -1.5])]);
        spool.AppendBatch(runId, batch);
        spool.AppendStatus(runId, new UpdateRun(RunStatuses.Running));

        var entry = spool.PeekNext(runId)!;
        Assert.Equal(1, entry.Sequence);
        Assert.Equal(runId, entry.RunId);
        Assert.Null(entry.Status);
        var read = entry.Batch!;
        Assert.Equal(batch.BatchId, read.BatchId);
        Assert.Equal(batch.Metrics, read.Metrics);
        Assert.Equal("2e-5", read.Params!["learning_rate"]);
        Assert.Equal([double.PositiveInfinity, -1.5], read.Series![0].Values);

        var bytes = File.ReadAllBytes(Directory.GetFiles(RunFolder(runId), "entries-*.log").Single());
        Assert.Equal("{\"sequence\":1,", Encoding.UTF8.GetString(bytes, 8, 14));
    }
}
