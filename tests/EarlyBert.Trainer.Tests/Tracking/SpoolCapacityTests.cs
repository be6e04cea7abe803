using System.Globalization;
using EarlyBert.Trainer.Tracking;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolCapacityTests : SpoolTestBase
{
    [Fact]
    public async Task Appending_past_MaxBytes_throws_a_clear_SpoolFullException_and_what_was_spooled_still_drains()
    {
        var spool = OpenSpool(Options(options => options.MaxBytes = 4096));
        var runId = Guid.NewGuid();
        var ids = new List<Guid>();
        SpoolFullException? full = null;
        for (var step = 0; step < 1000 && full is null; step++)
        {
            var batch = Batch(step);
            try
            {
                spool.AppendBatch(runId, batch);
                ids.Add(batch.BatchId);
            }
            catch (SpoolFullException exception)
            {
                full = exception;
            }
        }

        Assert.NotNull(full);
        Assert.True(ids.Count > 5, $"Only {ids.Count} batches fitted in 4 KiB");
        Assert.Contains(RunFolder(runId), full.Message, StringComparison.Ordinal);
        Assert.Contains("4,096", full.Message, StringComparison.Ordinal);
        Assert.Contains(full.BytesUsed.ToString("N0", CultureInfo.InvariantCulture), full.Message, StringComparison.Ordinal);
        Assert.Equal(4096, full.MaxBytes);
        Assert.True(spool.BytesUsed <= 4096);
        Assert.Equal(ids.Count, spool.PendingCount(runId));

        var sink = new FakeTrackerSink();
        await using (StartDrainer(spool, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await spool.WaitDrainedAsync(runId, timeout.Token);
            Assert.Equal(ids, sink.Delivered.Select(d => d.BatchId!.Value));

            // Sent entries free their space: appends work again.
            Assert.Equal(0, spool.BytesUsed);
            var after = Batch(5000);
            spool.AppendBatch(runId, after);
            await spool.WaitDrainedAsync(runId, timeout.Token);
            Assert.Equal(after.BatchId, sink.Delivered[^1].BatchId);
        }
    }

    [Fact]
    public async Task A_full_disk_mid_record_leaves_the_spool_consistent()
    {
        var diskFull = false;
        var options = Options(options => options.RecordWriter = (stream, record) =>
        {
            if (diskFull)
            {
                stream.Write(record, 0, record.Length / 2);
                throw new IOException("No space left on device", 28);
            }

            stream.Write(record);
        });
        var runId = Guid.NewGuid();
        var ids = new List<Guid>();
        using (var spool = OpenSpool(options))
        {
            ids.AddRange(AppendBatches(spool, runId, 5));
            diskFull = true;
            var full = Assert.Throws<SpoolFullException>(() => spool.AppendBatch(runId, Batch(5)));
            Assert.Contains("disk", full.Message, StringComparison.Ordinal);
            Assert.Equal(28, full.InnerException!.HResult);
            diskFull = false;
            ids.AddRange(AppendBatches(spool, runId, 5, firstStep: 6));
        }

        // Reopened, the segment holds only whole records: nothing torn to cut, nothing corrupt.
        var reopened = OpenSpool(options);
        Assert.Equal([runId], reopened.RunsWithPending());
        Assert.Empty(SpoolLog.At(LogLevel.Warning));
        Assert.Empty(SpoolLog.At(LogLevel.Error));
        var sink = new FakeTrackerSink();
        await using (StartDrainer(reopened, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await reopened.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Equal(ids, sink.Delivered.Select(d => d.BatchId!.Value));
    }
}
