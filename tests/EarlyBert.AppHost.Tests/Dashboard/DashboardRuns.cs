using System.Text.Json;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>Runs made through the tracker API the way a trainer reports them, for the dashboard to show.</summary>
internal static class DashboardRuns
{
    /// <summary>The artifact every run stores; its bytes name the run so a download can be checked exactly.</summary>
    public const string ArtifactPath = "model/config.json";

    public static TrackerClient Tracker(PlatformFixture platform)
    {
        var http = platform.CreateTrackerHttpClient();
        http.Timeout = TimeSpan.FromMinutes(2);
        return new TrackerClient(http);
    }

    /// <summary>The dashboard's address under the AppHost.</summary>
    public static Uri WebUrl(PlatformFixture platform) => platform.App.GetEndpoint("web", "http");

    /// <summary>
    /// A running run in <paramref name="experiment"/> that recorded what the trainer records (metadata keys of the
    /// trainer README, identical for every run but the precision), params, two metrics of 50 points and an artifact.
    /// </summary>
    public static async Task<Run> CreateAsync(
        TrackerClient tracker, string experiment, string name, string precision, string learningRate, CancellationToken cancellationToken)
    {
        await tracker.EnsureExperimentAsync(experiment, null, cancellationToken);
        var run = await tracker.CreateRunAsync(
            new CreateRun(experiment, name, RunStatuses.Running, WorkerId: "dashboard-tests"), cancellationToken);
        var steps = Enumerable.Range(1, 50).Select(i => (long)i).ToArray();
        var rate = double.Parse(learningRate, System.Globalization.CultureInfo.InvariantCulture);
        await tracker.LogBatchAsync(run.Id, new RunBatch(
            Guid.NewGuid(),
            Params: new Dictionary<string, string> { ["learning_rate"] = learningRate, ["training.batch_size"] = "16", ["seed"] = "42" },
            Metadata: Metadata(precision),
            Series:
            [
                // Noisy curves, so that smoothing visibly changes the line.
                new MetricColumns("train/loss", steps, steps.Select(s => 1.0 / (1 + s * rate * 1e4) + (s % 3 == 0 ? 0.08 : 0)).ToArray()),
                new MetricColumns("eval/accuracy", steps, steps.Select(s => 0.5 + 0.4 * s / 50.0 - (s % 4 == 0 ? 0.03 : 0)).ToArray()),
            ]), cancellationToken);
        await tracker.UploadArtifactAsync(run.Id, ArtifactPath, new MemoryStream(ArtifactBytes(run)), "application/json", cancellationToken);
        return run;
    }

    /// <summary>The artifact's exact content for <paramref name="run"/>.</summary>
    public static byte[] ArtifactBytes(Run run) =>
        JsonSerializer.SerializeToUtf8Bytes(new { run = run.Id, name = run.Name, hidden_size = 32 });

    public static Task<Run> FinishAsync(TrackerClient tracker, Run run, CancellationToken cancellationToken) =>
        tracker.UpdateRunAsync(run.Id, new UpdateRun(Status: RunStatuses.Finished), cancellationToken);

    private static Dictionary<string, JsonElement> Metadata(string precision)
    {
        var values = new Dictionary<string, object>
        {
            ["versions.earlybert"] = "1.0.0",
            ["versions.dotnet"] = "10.0.0",
            ["versions.torchsharp"] = "0.107.0",
            ["versions.libtorch"] = "2.10.0",
            ["versions.tokenizers"] = "2.0.1",
            ["device"] = "cpu",
            ["device_name"] = "AMD EPYC 7B13",
            ["threads"] = 2,
            ["math_kernels"] = "MKL avx2 kernels on AuthenticAMD",
            ["deterministic"] = true,
            ["precision"] = precision,
            ["precision.in_effect"] = precision == "float32" ? "everything in float32" : "matmuls in bf16, master weights in float32",
            ["data.name"] = "spam-assassin",
            ["data.sha256"] = new string('a', 64),
            ["tokenizer.vocab_sha256"] = new string('b', 64),
            ["model.base"] = "builtin:random",
            ["model.base_sha256"] = new string('c', 64),
        };
        return values.ToDictionary(v => v.Key, v => JsonSerializer.SerializeToElement(v.Value));
    }
}
