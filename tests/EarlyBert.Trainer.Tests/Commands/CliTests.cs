using System.Text.Json.Nodes;

namespace EarlyBert.Trainer.Tests.Commands;

public sealed class CliTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-cli-").FullName;

    [Theory]
    [InlineData("import-crad", "card.md")]
    [InlineData("tain", "--preset", "smoke")]
    [InlineData]
    [InlineData("train")]
    [InlineData("train", "--preset", "smoke", "--config", "x.json")]
    [InlineData("import-card")]
    public async Task Wrong_command_line_prints_usage_on_standard_error_and_exits_2_without_starting_anything(params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await Cli.RunAsync(arguments);
        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains("Usage:", stderr);
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        var (exitCode, stdout, _) = await Cli.RunAsync("--help");
        Assert.Equal(0, exitCode);
        foreach (var command in new[] { "worker", "train", "import-card", "upload", "reproduce", "export", "predict", "tokenize", "import-minilm", "bench", "bench-tracking", "bench-earlybert", "keys" })
            Assert.Contains(command, stdout);
    }

    [Fact]
    public async Task Import_card_prints_only_the_config_on_standard_output()
    {
        var card = Path.Combine(folder, "README.md");
        await File.WriteAllTextAsync(card, """
            ### Training hyperparameters

            The following hyperparameters were used during training:
            - optimizer: {'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': 669, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}
            - training_precision: float32

            ### Framework versions

            - Transformers 4.18.0
            - TensorFlow 2.8.0
            - Datasets 2.1.0
            - Tokenizers 0.12.1
            """);
        var (exitCode, stdout, stderr) = await Cli.RunAsync("import-card", card);
        Assert.True(exitCode == 0, stderr);
        var config = JsonNode.Parse(stdout)!;
        Assert.Equal(669, config["optimizer"]!["learning_rate"]!["config"]!["decay_steps"]!.GetValue<long>());
        Assert.Equal("4.18.0", config["reference_versions"]!["Transformers"]!.GetValue<string>());
        Assert.Equal("builtin:minilm-l6", config["model"]!["source"]!.GetValue<string>());

        var missing = await Cli.RunAsync("import-card", Path.Combine(folder, "nope.md"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    [Fact]
    public async Task Offline_train_prints_one_json_line_on_standard_output_and_writes_the_documented_folder()
    {
        var data = Path.Combine(folder, "data.tsv");
        await File.WriteAllLinesAsync(data, ["text\tlabel", .. Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? $"meeting notes {i}\tham" : $"win cash now {i}\tspam")]);
        var run = Path.Combine(folder, "run");
        var (exitCode, stdout, stderr) = await Cli.RunAsync("train", "--preset", "smoke", "--offline", run,
            "--set", $"data.train_file={data}", "--set", "data.validation_fraction=0.25", "--set", "training.epochs=1", "--set", "training.batch_size=6");
        Assert.True(exitCode == 0, stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var summary = JsonNode.Parse(line)!;
        Assert.Equal("finished", summary["status"]!.GetValue<string>());
        Assert.Equal(3, summary["steps"]!.GetValue<long>());
        foreach (var file in new[] { "run.json", "config.json", "params.json", "metadata.json", "metrics.jsonl", "artifacts/model/model.safetensors", "artifacts/README.md" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        Assert.Contains("\"status\": \"finished\"", await File.ReadAllTextAsync(Path.Combine(run, "run.json")));
        Assert.Contains("epoch 1/1 step 3/3", stderr);

        var bad = await Cli.RunAsync("train", "--preset", "smoke", "--offline", Path.Combine(folder, "bad"), "--set", "training.thread=1");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("training.thread", bad.Error);
        Assert.Equal("", bad.Out);
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

public sealed class WorkerArgumentsTests
{
    [Fact]
    public void Worker_tracker_option_becomes_the_hosts_tracker_url_and_other_arguments_pass_through()
    {
        Assert.Equal(["--Worker:TrackerUrl=http://gpu-box:5180", "--urls", "http://0.0.0.0:5190"],
            EarlyBert.Trainer.Worker.WorkerHost.HostArguments(["--tracker", "http://gpu-box:5180", "--urls", "http://0.0.0.0:5190"]));
        Assert.Equal(["--Worker:TrackerUrl=http://a:1", "--Worker:Device=cpu"],
            EarlyBert.Trainer.Worker.WorkerHost.HostArguments(["--tracker=http://a:1", "--Worker:Device=cpu"]));
    }
}
