using System.Collections.Concurrent;
using System.Threading.Channels;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// Keeps <c>api_keys.last_used_at</c> current to within <see cref="Resolution"/> without making any request wait:
/// a request only queues the key's id (at most once per key per minute), and this service writes it.
/// </summary>
internal sealed class ApiKeyUsageRecorder(ApiKeyStore store, TimeProvider time, ILogger<ApiKeyUsageRecorder> logger) : BackgroundService
{
    /// <summary>A key's use is written at most this often.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> lastQueued = new();

    // Bounded so that a stalled database cannot make the queue grow without end; a dropped use is written next minute.
    private readonly Channel<(Guid Id, DateTimeOffset At)> uses = Channel.CreateBounded<(Guid, DateTimeOffset)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Notes that key <paramref name="id"/> was used now.</summary>
    public void Record(Guid id)
    {
        var now = time.GetUtcNow();
        if (lastQueued.TryGetValue(id, out var last) && now - last < Resolution)
        {
            return;
        }

        if (lastQueued.TryUpdate(id, now, last) || lastQueued.TryAdd(id, now))
        {
            uses.Writer.TryWrite((id, now));
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (id, at) in uses.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await store.TouchAsync(id, at, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Let the next use try again rather than wait a minute.
                lastQueued.TryRemove(id, out _);
                logger.LogWarning(exception, "Could not record the use of API key {KeyId}", id);
            }
        }
    }
}
