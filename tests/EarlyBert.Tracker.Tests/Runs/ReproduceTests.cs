using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

public sealed class ReproduceTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    private static readonly JsonElement SmokeConfig = JsonSerializer.SerializeToElement(RunConfigJson.ToNode(Presets.Get("smoke")));

    private static Dictionary<string, JsonElement> Metadata(string dataHash, string torchSharp = "0.105.0") => new()
    {
        ["data.sha256"] = JsonSerializer.SerializeToElement(dataHash),
        ["tokenizer.vocab_sha256"] = JsonSerializer.SerializeToElement("vocab-hash"),
        ["model.base_sha256"] = JsonSerializer.SerializeToElement("model-hash"),
        ["versions.torchsharp"] = JsonSerializer.SerializeToElement(torchSharp),
        ["threads"] = JsonSerializer.SerializeToElement(1),
    };

    private static readonly double[] Losses = [0.70, 0.65, 0.60];

    /// <summary>A run that logged <paramref name="losses"/> (steps 1..n) and <paramref name="metadata"/>, then ended <paramref name="status"/>.</summary>
    private async Task<Run> RecordAsync(Run run, double[] losses, Dictionary<string, JsonElement> metadata, string status)
    {
        if (run.Status == RunStatuses.Queued)
        {
            await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Running), CancellationToken.None);
        }

        var points = losses.Select((loss, i) => new MetricPoint("train/loss", i + 1, loss))
            .Append(new MetricPoint("train/seq_per_s", 1, Random.Shared.NextDouble() * 100)).ToList();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(), points, Metadata: metadata), CancellationToken.None);
        return await client.UpdateRunAsync(run.Id, new UpdateRun(status, status == RunStatuses.Failed ? "refused" : null), CancellationToken.None);
    }

    private async Task<Run> ParentAsync(string status = RunStatuses.Finished)
    {
        var experiment = $"repro-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experiment, null, CancellationToken.None);
        var run = await client.CreateRunAsync(new CreateRun(experiment, "parent", RunStatuses.Running, SmokeConfig), CancellationToken.None);
        return await RecordAsync(run, Losses, Metadata("data-hash"), status);
    }

    [Fact]
    public async Task Reproduce_queues_a_child_with_the_parent_config_verbatim_answering_201_with_its_location()
    {
        var parent = await ParentAsync();
        using var http = tracker.CreateClient();

        using var response = await http.PostAsync($"/api/runs/{parent.Id}/reproduce", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var child = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), TrackerJsonContext.Default.Run)!;
        Assert.Equal($"/api/runs/{child.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal(RunStatuses.Queued, child.Status);
        Assert.Equal(parent.Id, child.ParentRunId);
        Assert.Equal(parent.Experiment, child.Experiment);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(parent.Config.GetRawText()), JsonNode.Parse(child.Config.GetRawText())));
        Assert.Equal(parent.Id, child.Reproduction!.ParentRunId);
        Assert.Empty(child.Reproduction.Overrides);
        Assert.Null(child.Reproduction.Verdict);
    }

    [Fact]
    public async Task Overrides_are_applied_through_the_config_rules_and_recorded_as_the_differences()
    {
        var parent = await ParentAsync();

        var child = await client.ReproduceRunAsync(parent.Id,
            new Dictionary<string, string> { ["training.threads"] = "2", ["reproduction.tolerance"] = "0.001" }, CancellationToken.None);

        Assert.Equal(2, child.Config.GetProperty("training").GetProperty("threads").GetInt32());
        Assert.Equal(0.001, child.Config.GetProperty("reproduction").GetProperty("tolerance").GetDouble());
        Assert.Equal(parent.Config.GetProperty("training").GetProperty("seed").GetInt64(), child.Config.GetProperty("training").GetProperty("seed").GetInt64());
        Assert.Equal(new Dictionary<string, string> { ["training.threads"] = "2", ["reproduction.tolerance"] = "0.001" }, child.Reproduction!.Overrides);
        Assert.Contains("training.threads=2", child.Notes);
    }

    [Fact]
    public async Task An_override_of_a_key_the_config_lacks_is_400_naming_the_key_and_queues_nothing()
    {
        var parent = await ParentAsync();

        using var response = await tracker.PostJsonTextAsync($"/api/runs/{parent.Id}/reproduce", """{"overrides": {"training.thread": "1"}}""");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("training.thread", problem.GetProperty("errors").GetProperty("overrides.training.thread")[0].GetString());
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM runs WHERE parent_run_id = $1", parent.Id));
    }

    [Theory]
    [InlineData(RunStatuses.Queued)]
    [InlineData(RunStatuses.Running)]
    public async Task A_run_that_has_not_ended_is_409(string status)
    {
        var run = await tracker.NewRunAsync(status);

        using var response = await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/reproduce", "{}");

        var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains($"is {status}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_run_without_a_stored_config_is_409_and_an_unknown_run_404()
    {
        var run = await tracker.NewRunAsync(RunStatuses.Running);
        await client.UpdateRunAsync(run.Id, new UpdateRun(RunStatuses.Finished), CancellationToken.None);

        using var noConfig = await tracker.PostJsonTextAsync($"/api/runs/{run.Id}/reproduce", "{}");
        using var unknown = await tracker.PostJsonTextAsync($"/api/runs/{Guid.NewGuid()}/reproduce", "{}");
        using var http = tracker.CreateClient();
        using var notAReproduction = await http.GetAsync($"/api/runs/{run.Id}/reproduction");

        Assert.Contains("no stored config", (await noConfig.AssertProblemAsync(HttpStatusCode.Conflict)).GetProperty("detail").GetString());
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("not a reproduction", (await notAReproduction.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_failed_or_cancelled_run_can_be_reproduced()
    {
        var failed = await ParentAsync(RunStatuses.Failed);
        var cancelled = await ParentAsync(RunStatuses.Cancelled);

        Assert.Equal(failed.Id, (await client.ReproduceRunAsync(failed.Id, null, CancellationToken.None)).ParentRunId);
        Assert.Equal(cancelled.Id, (await client.ReproduceRunAsync(cancelled.Id, null, CancellationToken.None)).ParentRunId);
    }

    [Fact]
    public async Task Same_losses_end_identical_on_the_run_the_list_and_the_report_with_version_differences_recorded()
    {
        var parent = await ParentAsync();
        var child = await client.ReproduceRunAsync(parent.Id, null, CancellationToken.None);

        await RecordAsync(child, Losses, Metadata("data-hash", torchSharp: "0.105.1"), RunStatuses.Finished);

        var read = (await client.GetRunAsync(child.Id, CancellationToken.None)).Reproduction!;
        Assert.Equal(ReproductionVerdicts.Identical, read.Verdict);
        Assert.Equal("passed", read.Precondition);
        Assert.Equal(0, read.MaxRelativeDifference);
        Assert.Equal(1e-4, read.Tolerance);
        Assert.Equal([new ReproductionDifference("versions.torchsharp", "0.105.0", "0.105.1")], read.EnvironmentDifferences);
        Assert.Equal("reproduced under different versions: versions.torchsharp 0.105.0 → 0.105.1", read.EnvironmentNote);
        var listed = await client.SearchRunsAsync($"experiment = \"{parent.Experiment}\"", null, 0, 10, CancellationToken.None);
        Assert.Equal(ReproductionVerdicts.Identical, listed.Runs.Single(r => r.Id == child.Id).Verdict);
        Assert.Null(listed.Runs.Single(r => r.Id == parent.Id).Verdict);
        var report = await client.GetReproductionAsync(child.Id, CancellationToken.None);
        var loss = report.Differences.Single();
        Assert.Equal("train/loss", loss.Metric);
        Assert.Equal([1L, 2, 3], loss.Steps);
        Assert.All(loss.RelativeDifferences, d => Assert.Equal(0, d));
    }

    [Fact]
    public async Task A_loss_apart_diverges_at_its_step_with_the_metric_and_both_values()
    {
        var parent = await ParentAsync();
        var child = await client.ReproduceRunAsync(parent.Id, null, CancellationToken.None);

        await RecordAsync(child, [0.70, 0.66, 0.61], Metadata("data-hash"), RunStatuses.Finished);

        var report = await client.GetReproductionAsync(child.Id, CancellationToken.None);
        Assert.Equal("diverged at step 2", report.Reproduction.Verdict);
        Assert.Equal(new ReproductionDivergence(2, "train/loss", 0.65, 0.66, Math.Abs(0.65 - 0.66) / 0.66), report.Reproduction.FirstDivergence);
        Assert.Equal("diverged at step 2: train/loss 0.65 (parent) vs 0.66 (reproduction)", report.Reproduction.Description);
        Assert.Null(report.Reproduction.EnvironmentNote);
    }

    [Fact]
    public async Task A_reproduction_refused_for_a_different_data_hash_is_not_reproduced_naming_both_hashes()
    {
        var parent = await ParentAsync();
        var child = await client.ReproduceRunAsync(parent.Id, null, CancellationToken.None);

        await RecordAsync(child, [], Metadata("tampered-hash"), RunStatuses.Failed);

        var read = (await client.GetRunAsync(child.Id, CancellationToken.None)).Reproduction!;
        Assert.Equal(ReproductionVerdicts.NotReproduced, read.Verdict);
        Assert.Equal("not reproducible: data.sha256 differs (parent data-hash, reproduction tampered-hash)", read.Precondition);
        Assert.Equal(read.Precondition, read.Description);
    }

    [Fact]
    public async Task A_reproduction_cancelled_while_queued_is_not_reproduced()
    {
        var parent = await ParentAsync();
        var child = await client.ReproduceRunAsync(parent.Id, null, CancellationToken.None);

        await client.CancelRunAsync(child.Id, CancellationToken.None);

        var report = await client.GetReproductionAsync(child.Id, CancellationToken.None);
        Assert.Equal(ReproductionVerdicts.NotReproduced, report.Reproduction.Verdict);
        Assert.StartsWith("not reproduced: the reproduction cancelled", report.Reproduction.Description);
        Assert.Null(report.Reproduction.Precondition);
    }
}
