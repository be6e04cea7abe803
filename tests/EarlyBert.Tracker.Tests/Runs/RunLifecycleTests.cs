using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

public sealed class RunLifecycleTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Created_run_reads_back_with_config_tags_and_parent()
    {
        await client.EnsureExperimentAsync("lifecycle", "runs", CancellationToken.None);
        var parent = await client.CreateRunAsync(new CreateRun("lifecycle", "parent"), CancellationToken.None);
        var config = System.Text.Json.JsonSerializer.SerializeToElement(new { lr = 1e-4, layers = 12 });

        var run = await client.CreateRunAsync(
            new CreateRun("lifecycle", "repro", RunStatuses.Running, config, parent.Id, "notes", new Dictionary<string, string> { ["dataset"] = "spam" }, "worker-1"),
            CancellationToken.None);
        var read = await client.GetRunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatuses.Queued, parent.Status);
        Assert.Equal(RunStatuses.Running, read.Status);
        Assert.Equal(parent.Id, read.ParentRunId);
        Assert.Equal(12, read.Config.GetProperty("layers").GetInt32());
        Assert.Equal("spam", read.Tags["dataset"]);
        Assert.Equal(tracker.Time.GetUtcNow(), read.StartedAt);
        Assert.Equal("worker-1", read.WorkerId);
    }

    [Fact]
    public async Task Run_in_an_unknown_experiment_is_404_and_a_finished_status_at_creation_is_400()
    {
        using var http = tracker.CreateClient();

        using var unknown = await http.PostAsJsonAsync("/api/runs", new { experiment = "no-such-experiment" });
        await client.EnsureExperimentAsync("statuses", null, CancellationToken.None);
        using var finished = await http.PostAsJsonAsync("/api/runs", new { experiment = "statuses", status = "finished" });

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await finished.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Legal_transitions_are_applied_and_timestamps_recorded()
    {
        var run = await tracker.NewRunAsync(RunStatuses.Queued);

        var running = await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Running), CancellationToken.None);
        tracker.Time.Advance(TimeSpan.FromSeconds(5));
        var finished = await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished, Notes: "done"), CancellationToken.None);
        var again = await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);

        Assert.Equal(RunStatuses.Running, running.Status);
        Assert.NotNull(running.StartedAt);
        Assert.Equal(RunStatuses.Finished, finished.Status);
        Assert.Equal(running.StartedAt + TimeSpan.FromSeconds(5), finished.EndedAt);
        Assert.Equal("done", finished.Notes);
        Assert.Equal(finished.EndedAt, again.EndedAt);
    }

    [Theory]
    [InlineData(RunStatuses.Queued, RunStatuses.Finished)]
    [InlineData(RunStatuses.Running, RunStatuses.Queued)]
    [InlineData(RunStatuses.Finished, RunStatuses.Running)]
    [InlineData(RunStatuses.Failed, RunStatuses.Finished)]
    public async Task Illegal_transition_is_a_conflict_and_changes_nothing(string from, string to)
    {
        var run = await tracker.NewRunAsync(from == RunStatuses.Queued ? RunStatuses.Queued : RunStatuses.Running);
        if (from is RunStatuses.Finished or RunStatuses.Failed)
        {
            await client.UpdateRunAsync(run.Id, new UpdateRun(from), CancellationToken.None);
        }

        var before = await tracker.SnapshotAsync(run.Id);

        var error = await Assert.ThrowsAsync<TrackerApiException>(() =>
            client.UpdateRunAsync(run.Id, new UpdateRun(to, Notes: "changed", Tags: new Dictionary<string, string> { ["x"] = "y" }), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Contains($"A {from} run cannot become {to}", error.Problem!.Detail);
        Assert.Equal(before, await tracker.SnapshotAsync(run.Id));
    }

    [Fact]
    public async Task Unknown_status_is_400_and_unknown_run_is_404()
    {
        var run = await tracker.NewRunAsync();

        var unknownStatus = await Assert.ThrowsAsync<TrackerApiException>(() => client.UpdateRunAsync(run.Id, new UpdateRun("paused"), CancellationToken.None));
        var unknownRun = await Assert.ThrowsAsync<TrackerApiException>(() => client.UpdateRunAsync(Guid.NewGuid(), new UpdateRun(RunStatuses.Finished), CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, unknownStatus.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRun.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_queued_run_ends_it_and_a_running_one_is_told_through_its_heartbeat()
    {
        var queued = await tracker.NewRunAsync(RunStatuses.Queued);
        var running = await tracker.NewRunAsync(RunStatuses.Running);

        var cancelledQueued = await client.CancelRunAsync(queued.Id, CancellationToken.None);
        var beforeCancel = await client.SendRunHeartbeatAsync(running.Id, CancellationToken.None);
        await client.CancelRunAsync(running.Id, CancellationToken.None);
        var afterCancel = await client.SendRunHeartbeatAsync(running.Id, CancellationToken.None);
        var acknowledged = await client.UpdateRunAsync(running.Id, new UpdateRun(RunStatuses.Cancelled), CancellationToken.None);

        Assert.Equal(RunStatuses.Cancelled, cancelledQueued.Status);
        Assert.False(beforeCancel.CancelRequested);
        Assert.True(afterCancel.CancelRequested);
        Assert.Equal(RunStatuses.Running, afterCancel.Status);
        Assert.Equal(RunStatuses.Cancelled, acknowledged.Status);
    }

    [Fact]
    public async Task Cancelling_a_finished_run_is_a_conflict()
    {
        var run = await tracker.NewRunAsync();
        await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);

        var error = await Assert.ThrowsAsync<TrackerApiException>(() => client.CancelRunAsync(run.Id, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
    }

    [Fact]
    public async Task Run_heartbeat_moves_heartbeat_time_only_while_running()
    {
        var run = await tracker.NewRunAsync();
        tracker.Time.Advance(TimeSpan.FromSeconds(3));

        var beat = await client.SendRunHeartbeatAsync(run.Id, CancellationToken.None);
        await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);
        tracker.Time.Advance(TimeSpan.FromSeconds(3));
        var late = await client.SendRunHeartbeatAsync(run.Id, CancellationToken.None);

        Assert.Equal(tracker.Time.GetUtcNow() - TimeSpan.FromSeconds(3), beat.HeartbeatAt);
        Assert.Equal(RunStatuses.Finished, late.Status);
        Assert.Equal(beat.HeartbeatAt, late.HeartbeatAt);
    }

    [Fact]
    public async Task Eight_concurrent_workers_never_claim_the_same_run()
    {
        var experiment = $"claims-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        var queued = new HashSet<Guid>();
        for (var i = 0; i < 40; i++)
        {
            queued.Add((await client.CreateRunAsync(new CreateRun(experiment, $"run-{i}"), CancellationToken.None)).Id);
        }

        var claims = new ConcurrentBag<(string Worker, Guid Run)>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var worker = tracker.Client();
            while (await worker.ClaimRunAsync($"worker-{w}", CancellationToken.None) is { } run)
            {
                Assert.Equal(RunStatuses.Running, run.Status);
                claims.Add(($"worker-{w}", run.Id));
            }
        })));

        var claimed = claims.Where(c => queued.Contains(c.Run)).ToList();
        Assert.Equal(queued.Count, claimed.Count);
        Assert.Equal(queued.Count, claimed.Select(c => c.Run).Distinct().Count());
        foreach (var (worker, runId) in claimed)
        {
            Assert.Equal(worker, (await client.GetRunAsync(runId, CancellationToken.None)).WorkerId);
        }
    }

    [Fact]
    public async Task Claim_without_queued_runs_is_204_and_a_cancelled_run_is_never_claimed()
    {
        // Drain what other tests queued, then cancel a new queued run.
        while (await client.ClaimRunAsync("drain", CancellationToken.None) is not null)
        {
        }

        var run = await tracker.NewRunAsync(RunStatuses.Queued);
        await client.CancelRunAsync(run.Id, CancellationToken.None);

        Assert.Null(await client.ClaimRunAsync("late-worker", CancellationToken.None));
    }

    [Fact]
    public async Task Run_list_pages_and_keeps_the_dashboard_shape()
    {
        var experiment = $"paging-{Guid.NewGuid():N}";
        for (var i = 0; i < 5; i++)
        {
            await tracker.NewRunAsync(RunStatuses.Queued, experiment, $"p{i}");
            tracker.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var page = await client.SearchRunsAsync($"experiment = \"{experiment}\"", "created desc", 1, 2, CancellationToken.None);
        var byName = await client.SearchRunsAsync($"experiment = \"{experiment}\"", "name asc", 0, 5, CancellationToken.None);
        var legacy = await client.ListRunsAsync(0, 3, CancellationToken.None);

        Assert.Equal(5, page.TotalCount);
        Assert.Equal(["p3", "p2"], page.Runs.Select(r => r.Name));
        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], byName.Runs.Select(r => r.Name));
        Assert.Equal(3, legacy.Runs.Count);
    }

    [Fact]
    public async Task Bad_paging_or_ordering_is_400()
    {
        using var http = tracker.CreateClient();

        using var paging = await http.GetAsync("/api/runs?skip=-1&take=10");
        using var order = await http.GetAsync("/api/runs?orderBy=" + Uri.EscapeDataString("name; drop table runs"));

        await paging.AssertProblemAsync(HttpStatusCode.BadRequest);
        await order.AssertProblemAsync(HttpStatusCode.BadRequest);
    }
}
