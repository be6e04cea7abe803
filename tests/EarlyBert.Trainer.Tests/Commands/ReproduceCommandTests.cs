using System.IO.Compression;
using System.Text.Json.Nodes;

namespace EarlyBert.Trainer.Tests.Commands;

public sealed class ReproduceCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-reproduce-").FullName;

    [Theory]
    [InlineData("reproduce")]
    [InlineData("reproduce", "0194a6a4-0000-7000-8000-000000000000", "--from", "runs/a")]
    [InlineData("reproduce", "--from", "runs/a", "--bundle", "a.zip")]
    [InlineData("reproduce", "--from", "runs/a", "--tracker", "http://localhost:5180")]
    [InlineData("reproduce", "0194a6a4-0000-7000-8000-000000000000", "--out", "runs/b")]
    [InlineData("export", "0194a6a4-0000-7000-8000-000000000000")]
    [InlineData("export", "not-a-run-id", "--out", "run.zip")]
    public async Task Wrong_reproduce_or_export_command_line_prints_usage_and_exits_2(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync(arguments);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Usage:", stderr);
    }

    /// <summary>A smoke-sized offline run: a random BERT on 24 rows, 1 epoch of 3 steps (seconds).</summary>
    private async Task<(string Run, string Data)> TrainOfflineAsync()
    {
        var data = Path.Combine(folder, "data.tsv");
        await File.WriteAllLinesAsync(data, ["text\tlabel", .. Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? $"meeting notes {i}\tham" : $"win cash now {i}\tspam")]);
        var run = Path.Combine(folder, "run");
        var (exitCode, _, stderr) = await Cli.RunAsync("train", "--preset", "smoke", "--offline", run,
            "--set", $"data.train_file={data}", "--set", "data.validation_fraction=0.25", "--set", "training.epochs=1", "--set", "training.batch_size=6",
            "--set", "training.log_every_steps=1");
        Assert.True(exitCode == 0, stderr);
        return (run, data);
    }

    [Fact]
    public async Task Reproduce_from_an_offline_folder_retrains_without_a_tracker_and_prints_identical_last()
    {
        var (run, _) = await TrainOfflineAsync();
        var copy = Path.Combine(folder, "copy");

        var (exitCode, stdout, stderr) = await Cli.RunAsync("reproduce", "--from", run, "--out", copy);

        Assert.True(exitCode == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("identical", lines[^1]);
        var summary = JsonNode.Parse(lines[0])!;
        Assert.Equal(("finished", "identical", "passed"), (summary["status"]!.GetValue<string>(), summary["verdict"]!.GetValue<string>(), summary["precondition"]!.GetValue<string>()));
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(copy, "reproduction.json")))!;
        Assert.Equal("identical", record["verdict"]!.GetValue<string>());
        Assert.Equal(0, record["max_relative_difference"]!.GetValue<double>());
        // The reproduction is an offline run of its own, with every loss logged again.
        Assert.Equal(File.ReadLines(Path.Combine(run, "metrics.jsonl")).Count(l => l.Contains("train/loss")),
            File.ReadLines(Path.Combine(copy, "metrics.jsonl")).Count(l => l.Contains("train/loss")));
        Assert.Contains("\"status\": \"finished\"", await File.ReadAllTextAsync(Path.Combine(copy, "run.json")));
    }

    [Fact]
    public async Task A_tampered_data_file_is_refused_before_training_naming_the_hash_and_both_values()
    {
        var (run, data) = await TrainOfflineAsync();
        var parentHash = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(run, "metadata.json")))!["data.sha256"]!.GetValue<string>();
        await File.AppendAllLinesAsync(data, ["an extra email\tham"]);
        var copy = Path.Combine(folder, "tampered");

        var (exitCode, stdout, stderr) = await Cli.RunAsync("reproduce", "--from", run, "--out", copy);

        Assert.Equal(1, exitCode);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith($"not reproducible: data.sha256 differs (parent {parentHash}, reproduction ", last);
        Assert.DoesNotContain(parentHash, last[(last.IndexOf("reproduction ", StringComparison.Ordinal))..]);
        Assert.Contains("data.sha256 differs", stderr);
        // Refused before the first step: not one metric point.
        Assert.Equal("", (await File.ReadAllTextAsync(Path.Combine(copy, "metrics.jsonl"))).Trim());
        Assert.Contains("\"status\": \"failed\"", await File.ReadAllTextAsync(Path.Combine(copy, "run.json")));
    }

    [Fact]
    public async Task A_bundle_of_an_offline_run_with_its_data_reproduces_identical_from_a_fresh_folder()
    {
        var (run, data) = await TrainOfflineAsync();
        // The layout export writes: the run folder, bundle.json, and the config's data file under data/files/KEY/.
        var staging = Path.Combine(folder, "staging");
        foreach (var file in new[] { "run.json", "config.json", "params.json", "metadata.json", "metrics.jsonl" })
        {
            Directory.CreateDirectory(staging);
            File.Copy(Path.Combine(run, file), Path.Combine(staging, file));
        }
        await File.WriteAllTextAsync(Path.Combine(staging, "bundle.json"), """{"format": "earlybert-run-bundle", "version": 1}""");
        Directory.CreateDirectory(Path.Combine(staging, "data", "files", "data.train_file"));
        File.Copy(data, Path.Combine(staging, "data", "files", "data.train_file", "data.tsv"));
        var bundle = Path.Combine(folder, "run.zip");
        ZipFile.CreateFromDirectory(staging, bundle);
        File.Delete(data); // another installation: the original data path does not exist there

        var output = Path.Combine(folder, "elsewhere");
        var (exitCode, stdout, stderr) = await Cli.RunAsync("reproduce", "--bundle", bundle, "--out", output);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("identical", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        var record = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "reproduction", "reproduction.json")))!;
        Assert.StartsWith("data.train_file=", record["overrides"]![0]!.GetValue<string>());
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
