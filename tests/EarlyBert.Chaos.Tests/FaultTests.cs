using EarlyBert.Chaos.Scenarios;
using Xunit.Abstractions;

namespace EarlyBert.Chaos.Tests;

/// <summary>The tracker survives its own death, PostgreSQL's restart and S3's outage without losing or repeating data.</summary>
[Collection(ChaosCollection.Name)]
public sealed class FaultTests(ChaosPlatformFixture fixture, ITestOutputHelper output)
{
    // Ingest spread over several seconds (15 batches, 300 ms apart, per writer) so that the fault lands mid-ingest
    // even on a loaded machine; malformed requests are the malformed-request suite's business.
    private static readonly ChaosSettings Settings = new(
        Writers: 8, BatchesPerWriter: 15, PointsPerBatch: 100, BatchPause: TimeSpan.FromMilliseconds(300), Faults: 1,
        Outage: TimeSpan.FromSeconds(1), Subscribers: 0, MalformedRequests: false);

    private const long AllPoints = 8 * 15 * 100;

    [Fact]
    public async Task Every_point_is_stored_exactly_once_when_the_tracker_is_SIGKILLed_mid_ingest()
    {
        var tally = await RunAsync(TrackerKillScenario.RunAsync);

        Assert.Equal(1, tally.Faults);
        Assert.True(tally.ConnectionErrors + tally.Retries > 0, "No request failed: the kill did not land during ingest.");
        AssertExactlyOnce(tally);
    }

    [Fact]
    public async Task Tracker_recovers_from_a_PostgreSQL_restart_without_a_restart_of_its_own_and_retries_store_every_point_once()
    {
        var tally = await RunAsync(PostgresRestartScenario.RunAsync);

        Assert.Equal(1, tally.Faults);
        Assert.True(tally.Outage503 > 0, "No 503 was seen while PostgreSQL was down: the restart did not land during ingest.");
        // The scenario itself records a failure when the tracker's process id changed.
        AssertExactlyOnce(tally);
    }

    [Fact]
    public async Task S3_cut_during_an_upload_is_a_503_ProblemDetails_without_an_artifact_row_and_uploads_work_when_it_returns()
    {
        var tally = await RunAsync(S3OutageScenario.RunAsync);

        Assert.Equal(1, tally.Faults);
        // The cut upload and one more while S3 was down, each a ProblemDetails with Retry-After (else a failure).
        Assert.Equal(2, tally.Outage503);
        Assert.Empty(tally.Failures);
        Assert.Equal(0, tally.Other5xx);
    }

    private async Task<Tally> RunAsync(Func<Infrastructure.ChaosPlatform, ChaosSettings, CancellationToken, Task<Tally>> scenario)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var tally = await scenario(fixture.Platform, Settings, timeout.Token);
        output.WriteLine($"{tally.Scenario}: faults {tally.Faults}, sent {tally.PointsSent}, stored {tally.PointsStored}, lost {tally.Lost}, " +
                         $"duplicated {tally.Duplicated}, 503 during outage {tally.Outage503}, other 5xx {tally.Other5xx}, " +
                         $"unanswered {tally.ConnectionErrors}, retries {tally.Retries}; logs in {fixture.Platform.LogDirectory}");
        foreach (var failure in tally.Failures)
        {
            output.WriteLine("failure: " + failure);
        }

        // A failed check keeps the tracker's and PostgreSQL's logs for the output above to point at.
        fixture.Platform.KeepLogs |= !tally.Passed;

        return tally;
    }

    private static void AssertExactlyOnce(Tally tally)
    {
        Assert.Empty(tally.Failures);
        Assert.Equal(0, tally.Other5xx);
        Assert.Equal(AllPoints, tally.PointsSent);
        Assert.Equal(AllPoints, tally.PointsStored);
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Duplicated);
    }
}
