using System.Diagnostics;
using EarlyBert.Tracker.Client.Runs;
using Xunit.Abstractions;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolDrainingTests(ITestOutputHelper output) : SpoolTestBase
{
    [Fact]
    public async Task Entries_arrive_in_order_exactly_once_when_every_third_call_fails()
    {
        var spool = OpenSpool();
        var sink = new FakeTrackerSink { Failure = (_, call) => call % 3 == 0 ? new HttpRequestException("Connection refused") : null };
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var firstIds = new List<Guid>();
        var secondIds = new List<Guid>();
        await using (StartDrainer(spool, sink))
        {
            // Two runs appended alternately while the drainer runs: each must keep its own order.
            for (var step = 0; step < 120; step++)
            {
                firstIds.AddRange(AppendBatches(spool, first, 1, step));
                secondIds.AddRange(AppendBatches(spool, second, 1, step));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await spool.WaitDrainedAsync(first, timeout.Token);
            await spool.WaitDrainedAsync(second, timeout.Token);
        }

        var delivered = sink.Delivered;
        Assert.Equal(firstIds, delivered.Where(d => d.RunId == first).Select(d => d.BatchId!.Value));
        Assert.Equal(secondIds, delivered.Where(d => d.RunId == second).Select(d => d.BatchId!.Value));
        Assert.Equal(240, delivered.Count);
        Assert.True(sink.Calls >= 240 + (240 / 3), $"{sink.Calls} calls: the failures did not happen");
        Assert.Equal(0, spool.PendingCount(first));
        Assert.Equal(0, spool.PendingCount(second));
    }

    [Fact]
    public async Task Appends_never_block_while_the_tracker_is_down_and_everything_drains_after()
    {
        var spool = OpenSpool();
        var down = true;
        var sink = new FakeTrackerSink { Failure = (_, _) => Volatile.Read(ref down) ? new HttpRequestException("No route to host") : null };
        var runId = Guid.NewGuid();
        await using (StartDrainer(spool, sink))
        {
            var ids = AppendBatches(spool, runId, 1);
            await WaitUntilAsync(() => sink.Calls > 0, "the drainer to try the tracker");

            var clock = Stopwatch.StartNew();
            ids.AddRange(AppendBatches(spool, runId, 999, firstStep: 1));
            clock.Stop();
            output.WriteLine($"1,000 appends (each flushed to disk) took {clock.ElapsedMilliseconds} ms while the tracker was down");

            Assert.Empty(sink.Delivered);
            Assert.Equal(1000, spool.PendingCount(runId));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"1,000 appends took {clock.Elapsed}");

            Volatile.Write(ref down, false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await spool.WaitDrainedAsync(runId, timeout.Token);
            Assert.Equal(ids, sink.Delivered.Select(d => d.BatchId!.Value));
        }

        Assert.Contains(DrainerLog.At(LogLevel.Warning), line => line.Contains("No route to host", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_finished_run_drains_and_its_folder_goes()
    {
        var spool = OpenSpool(Options(options => options.SegmentBytes = 1024));
        var sink = new FakeTrackerSink();
        var runId = Guid.NewGuid();
        var ids = AppendBatches(spool, runId, 40);
        spool.AppendStatus(runId, new UpdateRun(RunStatuses.Finished));
        Assert.True(Directory.GetFiles(RunFolder(runId), "entries-*.log").Length > 1, "Segments did not roll at 1 KiB");

        await using (StartDrainer(spool, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await spool.WaitDrainedAsync(runId, timeout.Token);
            await WaitUntilAsync(() => !Directory.Exists(RunFolder(runId)), "the drained run's folder to be deleted");
        }

        Assert.Equal([.. ids.Select(id => id.ToString()), "status:finished"], sink.Delivered.Select(d => d.Key));
        Assert.Equal(0, spool.BytesUsed);
        Assert.Empty(spool.RunsWithPending());
    }
}
