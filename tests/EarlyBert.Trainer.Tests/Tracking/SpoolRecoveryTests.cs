using System.Buffers.Binary;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolRecoveryTests : SpoolTestBase
{
    [Fact]
    public async Task After_a_restart_the_rest_arrives_and_only_the_entry_in_flight_twice()
    {
        var runId = Guid.NewGuid();
        var sink = new FakeTrackerSink();
        var first = OpenSpool();
        var ids = AppendBatches(first, runId, 40);

        // The tracker stores the 16th entry but its answer never comes: the process dies waiting.
        sink.Hold = (_, cancellationToken) => sink.Delivered.Count >= 16 ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask;
        await using (StartDrainer(first, sink))
        {
            await WaitUntilAsync(() => sink.Delivered.Count == 16, "16 deliveries");
        }

        first.Dispose();
        sink.Hold = null;

        var second = OpenSpool();
        var more = AppendBatches(second, runId, 10, firstStep: 40);
        // 15 acknowledged; 16 to 50 pending: the sequence went on from 40, not from 1.
        Assert.Equal(35, second.PendingCount(runId));
        await using (StartDrainer(second, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await second.WaitDrainedAsync(runId, timeout.Token);
        }

        var delivered = sink.Delivered.Select(d => d.BatchId!.Value).ToList();
        var appended = ids.Concat(more).ToList();
        Assert.Equal(appended, delivered.Distinct());
        var twice = delivered.GroupBy(id => id).Where(group => group.Count() > 1).Select(group => group.Key).ToList();
        Assert.Equal([ids[15]], twice);
    }

    [Fact]
    public async Task A_torn_tail_is_cut_with_a_warning_and_appends_go_on_after_it()
    {
        var runId = Guid.NewGuid();
        List<Guid> ids;
        using (var first = OpenSpool())
        {
            ids = AppendBatches(first, runId, 10);
        }

        // A crash in the middle of the last write.
        var segment = Directory.GetFiles(RunFolder(runId), "entries-*.log").Single();
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length - 5);
        }

        var second = OpenSpool();
        var more = AppendBatches(second, runId, 3, firstStep: 100);
        Assert.Contains(SpoolLog.At(LogLevel.Warning), line => line.Contains("torn", StringComparison.Ordinal) && line.Contains(segment, StringComparison.Ordinal));
        Assert.Empty(SpoolLog.At(LogLevel.Error));

        var sink = new FakeTrackerSink();
        await using (StartDrainer(second, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await second.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Equal(ids.Take(9).Concat(more), sink.Delivered.Select(d => d.BatchId!.Value));
    }

    [Fact]
    public async Task Corruption_in_the_middle_is_reported_kept_aside_and_the_rest_still_drains()
    {
        var runId = Guid.NewGuid();
        List<Guid> ids;
        using (var first = OpenSpool())
        {
            ids = AppendBatches(first, runId, 10);
        }

        var segment = Directory.GetFiles(RunFolder(runId), "entries-*.log").Single();
        var bytes = File.ReadAllBytes(segment);
        var offset = 0;
        for (var record = 0; record < 4; record++)
        {
            offset += 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
        }

        bytes[offset + 8 + 20] ^= 0x40; // a flipped bit inside the fifth record's payload
        File.WriteAllBytes(segment, bytes);

        var second = OpenSpool();
        Assert.Equal([runId], second.RunsWithPending());
        Assert.Contains(SpoolLog.At(LogLevel.Error), line => line.Contains("corrupt", StringComparison.Ordinal) && line.Contains($"offset {offset}", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(Path.Combine(RunFolder(runId), "corrupt")));

        var sink = new FakeTrackerSink();
        await using (StartDrainer(second, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await second.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Equal(ids.Where((_, index) => index != 4), sink.Delivered.Select(d => d.BatchId!.Value));
    }

    [Fact]
    public async Task A_folder_another_spool_holds_is_left_alone_until_it_lets_go()
    {
        var runId = Guid.NewGuid();
        var first = OpenSpool();
        var ids = AppendBatches(first, runId, 5);

        var second = OpenSpool();
        Assert.Empty(second.RunsWithPending());
        var refused = Assert.ThrowsAny<IOException>(() => second.AppendBatch(runId, Batch(99)));
        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);

        // The first process stops; a restarted worker takes the folder over.
        first.Dispose();
        Assert.Equal([runId], second.RunsWithPending());
        var sink = new FakeTrackerSink();
        await using (StartDrainer(second, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await second.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Equal(ids, sink.Delivered.Select(d => d.BatchId!.Value));
    }
}
