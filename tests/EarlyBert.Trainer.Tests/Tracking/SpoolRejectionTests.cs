using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using Microsoft.AspNetCore.Mvc;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolRejectionTests : SpoolTestBase
{
    [Theory]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task A_final_refusal_goes_to_rejected_jsonl_and_the_next_entries_still_drain(HttpStatusCode refusal)
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var batches = Enumerable.Range(0, 6).Select(step => Batch(step)).ToList();
        var unavailable = 0;
        var sink = new FakeTrackerSink
        {
            Failure = (delivery, _) =>
                delivery.BatchId == batches[1].BatchId ? new TrackerApiException(refusal, new ProblemDetails { Detail = "Run has ended." })
                // A 503 is not final: retried until it passes.
                : delivery.BatchId == batches[3].BatchId && ++unavailable <= 2 ? new TrackerApiException(HttpStatusCode.ServiceUnavailable, null)
                : null,
        };

        await using (StartDrainer(spool, sink))
        {
            foreach (var batch in batches)
            {
                spool.AppendBatch(runId, batch);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await spool.WaitDrainedAsync(runId, timeout.Token);
        }

        Assert.Equal(batches.Where((_, index) => index != 1).Select(batch => batch.BatchId), sink.Delivered.Select(d => d.BatchId!.Value));
        var line = Assert.Single(File.ReadAllLines(Path.Combine(RunFolder(runId), "rejected.jsonl")));
        using var rejected = JsonDocument.Parse(line);
        Assert.Equal((int)refusal, rejected.RootElement.GetProperty("statusCode").GetInt32());
        Assert.Equal("Run has ended.", rejected.RootElement.GetProperty("reason").GetString());
        Assert.Equal(batches[1].BatchId, rejected.RootElement.GetProperty("entry").GetProperty("batch").GetProperty("batchId").GetGuid());
        Assert.Contains(DrainerLog.At(LogLevel.Error), message => message.Contains($"{(int)refusal}", StringComparison.Ordinal) && message.Contains("Run has ended.", StringComparison.Ordinal));
        Assert.Equal(0, spool.PendingCount(runId));
    }

    [Fact]
    public async Task A_refused_artifact_keeps_its_bytes_beside_rejected_jsonl()
    {
        var spool = OpenSpool();
        var runId = Guid.NewGuid();
        var source = Path.Combine(Root, "config.json");
        await File.WriteAllTextAsync(source, """{"hidden_size": 384}""");
        var sink = new FakeTrackerSink { Failure = (delivery, _) => delivery.ArtifactPath is not null ? new TrackerApiException(HttpStatusCode.Conflict, null) : null };
        spool.AppendArtifact(runId, "model/config.json", source, "application/json");
        File.Delete(source);

        await using (StartDrainer(spool, sink))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await spool.WaitDrainedAsync(runId, timeout.Token);
        }

        using var rejected = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(RunFolder(runId), "rejected.jsonl"))));
        var kept = rejected.RootElement.GetProperty("keptFile").GetString()!;
        Assert.Equal("""{"hidden_size": 384}""", await File.ReadAllTextAsync(Path.Combine(RunFolder(runId), kept)));
        Assert.True(spool.BytesUsed < 1_000, $"{spool.BytesUsed} bytes still counted: the kept copy must not be");
    }
}
