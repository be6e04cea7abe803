using System.Net;
using System.Net.Http.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Workers;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Workers;

public sealed class WorkersApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Heartbeat_is_recorded_and_a_later_one_moves_the_last_seen_time_only()
    {
        var client = new TrackerClient(tracker.CreateClient());
        var workerId = $"worker-{Guid.NewGuid():N}";
        var heartbeat = new WorkerHeartbeat("gpu-box", 4242, "1.0.0", "cuda:0");

        var first = await client.SendHeartbeatAsync(workerId, heartbeat, CancellationToken.None);
        tracker.Time.Advance(TimeSpan.FromSeconds(10));
        var second = await client.SendHeartbeatAsync(workerId, heartbeat, CancellationToken.None);
        var listed = (await client.ListWorkersAsync(CancellationToken.None)).Single(w => w.Id == workerId);

        Assert.Equal(first.FirstSeenAt, second.FirstSeenAt);
        Assert.Equal(first.LastHeartbeatAt + TimeSpan.FromSeconds(10), second.LastHeartbeatAt);
        Assert.Equal(second.LastHeartbeatAt, listed.LastHeartbeatAt);
        Assert.Equal("cuda:0", listed.Device);
    }

    [Fact]
    public async Task Heartbeat_without_a_host_is_rejected_with_a_problem_naming_the_field()
    {
        using var http = tracker.CreateClient();

        using var response = await http.PostAsJsonAsync("/api/workers/w1/heartbeat", new { host = "", processId = 1, version = "1", device = "cpu" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"host\"", await response.Content.ReadAsStringAsync());
    }
}
