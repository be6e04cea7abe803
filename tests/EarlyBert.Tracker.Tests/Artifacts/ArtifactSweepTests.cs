using System.Security.Cryptography;
using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Artifacts;

// The sweep looks at the whole bucket, so these tests have a tracker (and a bucket) of their own and run one at a time.
public sealed class ArtifactSweepTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    private ArtifactSweep Sweep => tracker.Services.GetRequiredService<ArtifactSweep>();

    [Fact]
    public async Task Sweep_removes_orphans_and_unfinished_uploads_older_than_the_cutoff_and_keeps_young_referenced_and_in_flight_ones()
    {
        var run = await tracker.NewRunAsync();
        await client.UploadArtifactAsync(run.Id, "kept.txt", new MemoryStream("kept"u8.ToArray()), "text/plain", CancellationToken.None);
        var referenced = (await tracker.RowAsync(run.Id, "kept.txt"))!.Value.ObjectKey;
        var oldOrphan = await PutOrphanAsync(run.Id);
        var givenUp = await PutOrphanAsync(run.Id);
        await RegisterUploadAsync(givenUp, run.Id, DateTimeOffset.UtcNow.AddHours(-1));
        var inFlight = await PutOrphanAsync(run.Id);
        await RegisterUploadAsync(inFlight, run.Id, DateTimeOffset.UtcNow.AddHours(1));
        var oldUnfinished = await StartUnfinishedUploadAsync(run.Id);
        // S3 and the test share this machine's clock.
        await Task.Delay(1500);
        var cutoff = DateTimeOffset.UtcNow;
        await Task.Delay(1500);
        var youngOrphan = await PutOrphanAsync(run.Id);
        var youngUnfinished = await StartUnfinishedUploadAsync(run.Id);

        var result = await Sweep.RunAsync(cutoff, CancellationToken.None);

        Assert.Equal(new ArtifactSweepResult(ExpiredUploads: 1, AbortedUploads: 1, RemovedObjects: 2), result);
        Assert.Equal(new[] { referenced, inFlight, youngOrphan }.Order(), (await tracker.ObjectsAsync(run.Id)).Order());
        Assert.Equal([youngUnfinished], await tracker.UnfinishedUploadsAsync(run.Id));
        Assert.DoesNotContain(oldOrphan, await tracker.ObjectsAsync(run.Id));
        Assert.DoesNotContain(oldUnfinished, await tracker.UnfinishedUploadsAsync(run.Id));
        Assert.Equal(1, await tracker.CountAsync("SELECT count(*) FROM artifact_uploads WHERE object_key = $1", inFlight));
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM artifact_uploads WHERE object_key = $1", givenUp));
        using var copy = new MemoryStream();
        await client.DownloadArtifactAsync(run.Id, "kept.txt", copy, CancellationToken.None);
        Assert.Equal("kept"u8.ToArray(), copy.ToArray());

        // Clean up what this test left young, so the other tests of the class count only their own.
        await tracker.Store().AbortUploadsAsync(youngUnfinished, CancellationToken.None);
        await tracker.Store().DeleteAsync(youngOrphan, CancellationToken.None);
    }

    [Fact]
    public async Task Sweep_skips_its_round_while_another_tracker_holds_the_sweep_lock()
    {
        var run = await tracker.NewRunAsync();
        var orphan = await PutOrphanAsync(run.Id);
        await Task.Delay(1100);
        var cutoff = DateTimeOffset.UtcNow;
        await using var otherTracker = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await otherTracker.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({ArtifactSweep.AdvisoryLockKey})", otherTracker))
        {
            await take.ExecuteNonQueryAsync();
        }

        var skipped = await Sweep.RunAsync(cutoff, CancellationToken.None);
        var keptWhileLocked = await tracker.ObjectsAsync(run.Id);
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({ArtifactSweep.AdvisoryLockKey})", otherTracker))
        {
            await release.ExecuteNonQueryAsync();
        }

        var swept = await Sweep.RunAsync(cutoff, CancellationToken.None);

        Assert.Null(skipped);
        Assert.Equal([orphan], keptWhileLocked);
        Assert.Equal(new ArtifactSweepResult(0, 0, 1), swept);
        Assert.Empty(await tracker.ObjectsAsync(run.Id));
    }

    [Fact]
    public async Task Background_sweep_runs_when_its_interval_has_passed_on_the_clock_and_removes_what_is_older_than_the_grace()
    {
        var run = await tracker.NewRunAsync();
        var orphan = await PutOrphanAsync(run.Id);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var swept = tracker.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Tracker:ArtifactSweepInterval", "00:05:00");
            builder.UseSetting("Tracker:ArtifactSweepGrace", "00:01:00");
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock));
        });
        _ = swept.Services;

        await Task.Delay(1000);
        var beforeTheInterval = await tracker.ObjectsAsync(run.Id);
        // Each advance is one interval (the timer may start a moment after the host); 5 minutes later the orphan,
        // stored just before, is 4 minutes older than the grace.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); (await tracker.ObjectsAsync(run.Id)).Count > 0; await Task.Delay(250))
        {
            Assert.True(DateTime.UtcNow < deadline, "the background sweep did not remove the orphan within 30 s");
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal([orphan], beforeTheInterval);
    }

    private async Task<string> PutOrphanAsync(Guid runId)
    {
        var key = ArtifactObjectKey.For(runId, Guid.NewGuid());
        await tracker.Store().PutAsync(key, new MemoryStream(RandomNumberGenerator.GetBytes(100)), "application/octet-stream", CancellationToken.None);
        return key;
    }

    // A multipart upload whose body breaks off after its first part, as a tracker killed mid-upload leaves it.
    private async Task<string> StartUnfinishedUploadAsync(Guid runId)
    {
        var key = ArtifactObjectKey.For(runId, Guid.NewGuid());
        await Assert.ThrowsAnyAsync<Exception>(() => tracker.Store().PutAsync(
            key, new CutStream(RandomNumberGenerator.GetBytes(6 * 1024 * 1024)), "application/octet-stream", CancellationToken.None, 12L * 1024 * 1024));
        Assert.Contains(key, await tracker.UnfinishedUploadsAsync(runId));
        return key;
    }

    private async Task RegisterUploadAsync(string key, Guid runId, DateTimeOffset startedAt)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("INSERT INTO artifact_uploads (object_key, run_id, started_at) VALUES ($1, $2, $3)", connection);
        command.Parameters.AddWithValue(key);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(startedAt);
        await command.ExecuteNonQueryAsync();
    }
}
