using System.Net.Http.Json;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Client.Workers;

namespace EarlyBert.Tracker.Client;

/// <summary>
/// Typed client of the tracker's HTTP API. Register it with
/// <see cref="TrackerClientExtensions.AddTrackerClient"/> so that its base address is resolved by service discovery.
/// </summary>
public sealed class TrackerClient(HttpClient http)
{
    /// <summary>Records that the worker <paramref name="workerId"/> is alive.</summary>
    public async Task<WorkerInfo> SendHeartbeatAsync(string workerId, WorkerHeartbeat heartbeat, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(
            $"api/workers/{Uri.EscapeDataString(workerId)}/heartbeat",
            heartbeat,
            TrackerJsonContext.Default.WorkerHeartbeat,
            cancellationToken);
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
        return (await response.Content.ReadFromJsonAsync(TrackerJsonContext.Default.WorkerInfo, cancellationToken))!;
    }

    /// <summary>Lists the workers the tracker has heard from, most recent heartbeat first.</summary>
    public async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync("api/workers", TrackerJsonContext.Default.IReadOnlyListWorkerInfo, cancellationToken) ?? [];

    /// <summary>Lists runs, newest first.</summary>
    public async Task<RunPage> ListRunsAsync(int skip, int take, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync($"api/runs?skip={skip}&take={take}", TrackerJsonContext.Default.RunPage, cancellationToken)
        ?? new RunPage([], 0);
}
