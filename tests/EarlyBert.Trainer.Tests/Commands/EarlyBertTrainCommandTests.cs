using System.Text.Json.Nodes;
using EarlyBert.Training.Recording;

namespace EarlyBert.Trainer.Tests.Commands;

public sealed class EarlyBertTrainCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-cli-earlybert-").FullName;

    [Fact]
    public async Task Smoke_in_earlybert_mode_runs_both_phases_as_one_run_and_saves_the_ticket_and_its_dense_export()
    {
        var data = Path.Combine(folder, "data.tsv");
        await File.WriteAllLinesAsync(data, ["text\tlabel", .. Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? $"meeting notes for monday {i}\tham" : $"win cash prize now {i}\tspam")]);
        var run = Path.Combine(folder, "run");
        // 48 training examples in batches of 16, 4 epochs: 12 dense steps; a mask every step, drawn by step 3 (the cap, 0.3 × 12).
        var (exitCode, stdout, stderr) = await Cli.RunAsync("train", "--preset", "smoke", "--offline", run, "--dense-export",
            "--set", "training.mode=earlybert", "--set", $"data.train_file={data}", "--set", "data.validation_fraction=0.25",
            "--set", "training.epochs=4", "--set", "earlybert.search.window=2", "--set", "earlybert.search.l1_heads=0.01");
        Assert.True(exitCode == 0, stderr);

        var summary = JsonNode.Parse(Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)))!;
        Assert.Equal("finished", summary["status"]!.GetValue<string>());
        var meta = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run, "metadata.json")))!;
        var drawStep = meta["earlybert.draw_step"]!.GetValue<long>();
        Assert.InRange(drawStep, 2, 3);
        // Both phases in one run: the search's steps, then two thirds of 12 (8) for the pruned network.
        Assert.Equal(drawStep + 8, summary["steps"]!.GetValue<long>());
        Assert.True(meta["earlybert.parameters_after"]!.GetValue<long>() < meta["earlybert.parameters_before"]!.GetValue<long>());
        var metrics = OfflineRunFolder.ReadMetrics(run).ToList();
        Assert.Contains(metrics, m => m.Key == "earlybert/mask_distance_heads");
        Assert.Equal(drawStep + 8, metrics.Where(m => m.Key == "train/loss").Max(m => m.Step));

        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run, "config.json")))!;
        Assert.True(config["earlybert"]!["dense_export"]!.GetValue<bool>());
        var ticket = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run, "artifacts", "model", "config.json")))!;
        Assert.Equal(2, ticket["pruned_heads"]!.AsObject().Count); // one of two heads removed in each of the two layers
        var dense = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run, "artifacts", "model-dense", "config.json")))!.AsObject();
        Assert.False(dense.ContainsKey("earlybert_intermediate_sizes"));
        Assert.True(File.Exists(Path.Combine(run, "artifacts", "model-dense", "model.safetensors")));
        Assert.Contains("It is an EarlyBERT ticket", await File.ReadAllTextAsync(Path.Combine(run, "artifacts", "README.md")));
        Assert.Contains($"step {drawStep + 8}/{drawStep + 8}", stderr);

        var refused = await Cli.RunAsync("train", "--resume", run, "--dense-export");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--dense-export", refused.Error);
    }

    [Fact]
    public async Task Bench_earlybert_trains_both_modes_and_prints_the_figures_on_standard_output_and_progress_on_standard_error()
    {
        var data = Path.Combine(folder, "bench.tsv");
        await File.WriteAllLinesAsync(data, ["text\tlabel", .. Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? $"agenda for the review {i}\tham" : $"claim your reward today {i}\tspam")]);
        var runs = Path.Combine(folder, "bench-runs");
        var (exitCode, stdout, stderr) = await Cli.RunAsync("bench-earlybert", "--preset", "smoke", "--runs", runs,
            "--set", $"data.train_file={data}", "--set", "data.validation_fraction=0.25", "--set", "training.epochs=4");
        Assert.True(exitCode == 0, stderr);

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("smoke with data.train_file=", lines[0]);
        Assert.Contains("seed 42", lines[0]);
        var dense = lines.Single(l => l.StartsWith("dense ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var earlyBert = lines.Single(l => l.StartsWith("earlybert  ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("12", dense[5]); // 48 examples, batch 16, 4 epochs (after mode, wall s, cpu s, search s, train s)
        var drawStep = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "earlybert", "metadata.json")))!["earlybert.draw_step"]!.GetValue<long>();
        Assert.Equal((drawStep + 8).ToString(System.Globalization.CultureInfo.InvariantCulture), earlyBert[5]);
        // The accuracy printed is the run's last evaluation.
        var lastAccuracy = OfflineRunFolder.ReadMetrics(Path.Combine(runs, "earlybert")).Where(m => m.Key == "eval/accuracy").MaxBy(m => m.Step)!.Value;
        Assert.Equal(lastAccuracy, double.Parse(earlyBert[6], System.Globalization.CultureInfo.InvariantCulture), 4);
        Assert.Contains(lines, l => l.StartsWith("pruning: parameters ", StringComparison.Ordinal));
        var rates = lines.Single(l => l.StartsWith("sequences/s: dense ", StringComparison.Ordinal));
        Assert.DoesNotContain("NaN", rates, StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith($"ticket: drawn at step {drawStep} ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mask distance (step: heads ffn): 2: ", StringComparison.Ordinal));
        Assert.Matches("^earlybert vs dense: wall time [+-][0-9.]+% .*goal (met|not met)$", lines[^2]);
        Assert.Matches("^processor time: [+-][0-9.]+% ", lines[^1]);
        Assert.Contains("the earlybert run", stderr);
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
