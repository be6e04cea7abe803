namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolWaitTests : SpoolTestBase
{
    [Fact]
    public async Task WaitDrainedAsync_completes_once_everything_appended_is_acknowledged()
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The tracker has the last entry but has not answered yet: it is not acknowledged.
        var sink = new FakeTrackerSink { Hold = (delivery, cancellationToken) => delivery.BatchId is null ? answer.Task.WaitAsync(cancellationToken) : Task.CompletedTask };
        Assert.True(spool.WaitDrainedAsync(runId, CancellationToken.None).IsCompleted, "Nothing appended: nothing to wait for");

        await using (StartDrainer(spool, sink))
        {
            AppendBatches(spool, runId, 3);
            spool.AppendStatus(runId, new EarlyBert.Tracker.Client.Runs.UpdateRun(Notes: "done"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var drained = spool.WaitDrainedAsync(runId, timeout.Token);
            await WaitUntilAsync(() => sink.Delivered.Count == 4, "4 deliveries");
            await Task.Delay(50);
            Assert.False(drained.IsCompleted);
            Assert.Equal(1, spool.PendingCount(runId));

            answer.SetResult();
            await drained;
            Assert.Equal(0, spool.PendingCount(runId));
        }
    }

    [Fact]
    public async Task WaitDrainedAsync_honours_cancellation()
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var sink = new FakeTrackerSink { Failure = (_, _) => new HttpRequestException("Connection refused") };
        await using (StartDrainer(spool, sink))
        {
            AppendBatches(spool, runId, 2);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => spool.WaitDrainedAsync(runId, timeout.Token));
            Assert.Equal(2, spool.PendingCount(runId));
        }
    }
}
