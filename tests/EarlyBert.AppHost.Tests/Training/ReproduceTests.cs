using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using Xunit.Abstractions;
using static EarlyBert.AppHost.Tests.Training.TrainingRunTests;

namespace EarlyBert.AppHost.Tests.Training;

/// <summary>Reproductions through the API, the worker and the CLI, against the real platform.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ReproduceTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly string[] Compared = ["train/loss", "eval/loss", "eval/accuracy", "eval/f1_macro", "epoch/train_loss", "epoch/validation_loss"];

    private TrackerClient Tracker()
    {
        var http = platform.CreateTrackerHttpClient();
        http.Timeout = TimeSpan.FromMinutes(2);
        return new TrackerClient(http);
    }

    private static async Task<Run> WaitForEndAsync(TrackerClient tracker, Guid runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            var run = await tracker.GetRunAsync(runId, CancellationToken.None);
            if (RunStatuses.IsTerminal(run.Status) && run.Status != RunStatuses.Crashed) return run;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Run {runId} is still {run.Status}.");
            await Task.Delay(250);
        }
    }

    /// <summary>The verdict computed here from both runs' series, apart from the tracker's implementation.</summary>
    private static async Task<string> ExpectedVerdictAsync(TrackerClient tracker, Guid parent, Guid child)
    {
        var bitwise = true;
        var steps = new SortedDictionary<long, bool>();
        foreach (var key in Compared)
        {
            var a = (await SeriesAsync(tracker, parent, key)).ToDictionary(p => p.Step, p => p.Value);
            var b = (await SeriesAsync(tracker, child, key)).ToDictionary(p => p.Step, p => p.Value);
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var (step, value) in a)
            {
                bitwise &= BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(b[step]);
                if (key.Contains("loss") && Math.Abs(value - b[step]) / Math.Max(Math.Abs(value), Math.Abs(b[step])) > 1e-4) steps[step] = true;
            }
        }
        return bitwise ? "identical" : steps.Count == 0 ? "within tolerance" : $"diverged at step {steps.Keys.First()}";
    }

    [Fact]
    public async Task Smoke_run_reproduced_by_the_worker_is_identical_and_with_another_thread_count_gets_the_verdict_its_losses_give()
    {
        await platform.EnsureStartedAsync();
        var tracker = Tracker();
        var parent = await QueueAsync(tracker, "repro-parent", Smoke(epochs: 1));
        await WaitForStatusAsync(tracker, parent.Id, RunStatuses.Finished);

        var child = await tracker.ReproduceRunAsync(parent.Id, null, CancellationToken.None);
        Assert.Equal(parent.Id, child.ParentRunId);
        var ended = await WaitForEndAsync(tracker, child.Id);
        Assert.True(ended.Status == RunStatuses.Finished, ended.StatusReason);
        var report = await tracker.GetReproductionAsync(child.Id, CancellationToken.None);
        output.WriteLine($"same threads: {report.Reproduction.Description}; {report.Reproduction.EnvironmentNote}");
        Assert.Equal(ReproductionVerdicts.Identical, report.Reproduction.Verdict);
        Assert.Equal(await ExpectedVerdictAsync(tracker, parent.Id, child.Id), report.Reproduction.Verdict);
        Assert.Equal("passed", report.Reproduction.Precondition);
        Assert.Contains(report.Differences, d => d.Metric == "train/loss" && d.Steps.Count == 6 && d.RelativeDifferences.All(x => x == 0));
        var listed = await tracker.SearchRunsAsync(null, null, 0, 50, CancellationToken.None);
        Assert.Equal(ReproductionVerdicts.Identical, listed.Runs.Single(r => r.Id == child.Id).Verdict);

        var threads = await tracker.ReproduceRunAsync(parent.Id, new Dictionary<string, string> { ["training.threads"] = "2" }, CancellationToken.None);
        var threadsEnded = await WaitForEndAsync(tracker, threads.Id);
        Assert.True(threadsEnded.Status == RunStatuses.Finished, threadsEnded.StatusReason);
        var threadsReport = await tracker.GetReproductionAsync(threads.Id, CancellationToken.None);
        output.WriteLine($"2 threads: {threadsReport.Reproduction.Description}");
        Assert.Equal(await ExpectedVerdictAsync(tracker, parent.Id, threads.Id), threadsReport.Reproduction.Verdict);
        Assert.Equal(new Dictionary<string, string> { ["training.threads"] = "2" }, threadsReport.Reproduction.Overrides);
    }

    [Fact]
    public async Task A_tampered_dataset_file_is_refused_before_training_naming_the_hash_mismatch()
    {
        await platform.EnsureStartedAsync();
        var tracker = Tracker();
        var data = Path.Combine(platform.StateDirectory, $"data-{Guid.NewGuid():N}.tsv");
        await File.WriteAllLinesAsync(data, ["text\tlabel", .. Enumerable.Range(0, 32).Select(i => i % 2 == 0 ? $"meeting notes {i}\tham" : $"win cash now {i}\tspam")]);
        var config = Smoke(epochs: 1);
        config["data"]!["train_file"] = data;
        var parent = await QueueAsync(tracker, "repro-tamper", config);
        var finished = await WaitForStatusAsync(tracker, parent.Id, RunStatuses.Finished);
        await File.AppendAllLinesAsync(data, ["a tampered line\tspam"]);

        var child = await tracker.ReproduceRunAsync(parent.Id, null, CancellationToken.None);
        var ended = await WaitForEndAsync(tracker, child.Id);

        Assert.Equal(RunStatuses.Failed, ended.Status);
        var parentHash = finished.Metadata["data.sha256"].GetString();
        Assert.StartsWith($"not reproducible: data.sha256 differs (parent {parentHash}, reproduction {ended.Metadata["data.sha256"].GetString()})", ended.StatusReason);
        Assert.DoesNotContain(ended.Metrics, m => m.Key == "train/loss");
        var report = await tracker.GetReproductionAsync(child.Id, CancellationToken.None);
        Assert.Equal(ReproductionVerdicts.NotReproduced, report.Reproduction.Verdict);
        Assert.Equal(ended.StatusReason, report.Reproduction.Precondition);
    }

    [Fact]
    public async Task Exported_bundle_reproduces_identical_from_a_fresh_state_folder_and_the_cli_prints_the_tracker_verdict_last()
    {
        await platform.EnsureStartedAsync();
        var tracker = Tracker();
        var url = platform.App.GetEndpoint("tracker", "http").ToString();
        var parent = await QueueAsync(tracker, "repro-bundle", Smoke(epochs: 1));
        await WaitForStatusAsync(tracker, parent.Id, RunStatuses.Finished);

        var bundle = Path.Combine(platform.StateDirectory, $"bundle-{parent.Id}.zip");
        var exported = await TrainerCli.RunAsync("export", parent.Id.ToString(), "--out", bundle, "--with-data", "--tracker", url);
        Assert.True(exported.ExitCode == 0, exported.StandardError);
        var fresh = Directory.CreateTempSubdirectory("earlybert-fresh-").FullName;
        var offline = await TrainerCli.RunAsync("reproduce", "--bundle", bundle, "--out", Path.Combine(fresh, "copy"));
        Assert.True(offline.ExitCode == 0, offline.StandardError);
        Assert.Equal("identical", offline.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);

        var online = await TrainerCli.RunAsync("reproduce", parent.Id.ToString(), "--tracker", url);
        Assert.True(online.ExitCode == 0, online.StandardError);
        Assert.Equal("identical", online.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
    }
}
