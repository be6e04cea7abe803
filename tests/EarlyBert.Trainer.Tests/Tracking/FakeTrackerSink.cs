using System.Security.Cryptography;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tests.Tracking;

/// <summary>One entry as the fake tracker received it.</summary>
internal sealed record Delivery(
    Guid RunId, Guid? BatchId = null, string? ArtifactPath = null, byte[]? Content = null, string? ContentSha256 = null, string? SpooledSha256 = null, string? Status = null)
{
    public string Key => BatchId?.ToString() ?? ArtifactPath ?? $"status:{Status}";
}

/// <summary>
/// Stands in for the tracker at the drainer's boundary: records what it receives, in order, and fails or stalls
/// on demand. A call that <see cref="Failure"/> fails delivers nothing; one that <see cref="Hold"/> stalls has
/// delivered already (the tracker stored it, its answer is late or lost).
/// </summary>
internal sealed class FakeTrackerSink : ITrackerSink
{
    private readonly Lock gate = new();
    private readonly List<Delivery> delivered = [];
    private int calls;

    /// <summary>Given the attempted delivery and the 1-based number of the call, the exception to throw instead.</summary>
    public Func<Delivery, int, Exception?>? Failure { get; set; }

    /// <summary>Awaited after each delivery is recorded, before the call returns; to stall the answer.</summary>
    public Func<Delivery, CancellationToken, Task>? Hold { get; set; }

    public int Calls => Volatile.Read(ref calls);

    public IReadOnlyList<Delivery> Delivered
    {
        get
        {
            lock (gate)
            {
                return delivered.ToList();
            }
        }
    }

    public Task SendBatchAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken) =>
        ReceiveAsync(new Delivery(runId, BatchId: batch.BatchId), cancellationToken);

    public async Task SendArtifactAsync(Guid runId, SpoolArtifact artifact, Stream content, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.ToArray();
        await ReceiveAsync(new Delivery(runId, ArtifactPath: artifact.Path, Content: bytes, ContentSha256: Convert.ToHexStringLower(SHA256.HashData(bytes)), SpooledSha256: artifact.Sha256), cancellationToken);
    }

    public Task SendStatusAsync(Guid runId, UpdateRun status, CancellationToken cancellationToken) =>
        ReceiveAsync(new Delivery(runId, Status: status.Status), cancellationToken);

    private async Task ReceiveAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref calls);
        if (Failure?.Invoke(delivery, call) is { } exception)
        {
            throw exception;
        }

        lock (gate)
        {
            delivered.Add(delivery);
        }

        if (Hold is { } hold)
        {
            await hold(delivery, cancellationToken);
        }
    }
}
