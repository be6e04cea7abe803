using System.Text.Json.Nodes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Saved_model_loads_back_with_identical_weights_and_labels()
    {
        TestTorch.Setup();
        using var original = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        HfCheckpoint.Save(original, folder, Golden.File("vocab.txt"));
        using var reloaded = HfCheckpoint.LoadForSequenceClassification(folder, NullLogger.Instance);

        var before = original.state_dict();
        var after = reloaded.state_dict();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (name, value) in before)
            Assert.True(value.equal(after[name]).all().item<bool>(), $"{name} changed in the round trip");
        Assert.Equal(original.Config.Id2Label, reloaded.Config.Id2Label);
    }

    [Fact]
    public void Model_saved_after_training_steps_reloads_with_the_trained_weights()
    {
        // Training flattens the parameters into views of one buffer; saving must write each view, not the buffer start.
        TestTorch.Setup();
        var forward = Golden.Json("forward.json");
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        using var optimizer = new Optimization.TorchAdamW(model.named_parameters(), new Optimization.ConstantLearningRate(1e-3));
        using var batch = new Optimization.TrainingBatch(
            Golden.LongTensor(Golden.IntMatrix(forward["input_ids"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["attention_mask"]!)),
            Golden.LongTensor(Golden.IntMatrix(forward["token_type_ids"]!)),
            tensor(new long[] { 1, 0, 0, 0 }));
        Optimization.TrainingStep.Run(model, optimizer, batch);
        Optimization.TrainingStep.Run(model, optimizer, batch);
        HfCheckpoint.Save(model, folder, Golden.File("vocab.txt"));
        using var reloaded = HfCheckpoint.LoadForSequenceClassification(folder, NullLogger.Instance);
        foreach (var (name, value) in model.state_dict())
            Assert.True(value.equal(reloaded.state_dict()[name]).all().item<bool>(), $"{name} differs after save and load");
    }

    [Fact]
    public void Saved_folder_has_the_hugging_face_layout()
    {
        TestTorch.Setup();
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        HfCheckpoint.Save(model, folder, Golden.File("vocab.txt"));

        Assert.Equal(["config.json", "model.safetensors", "special_tokens_map.json", "tokenizer_config.json", "vocab.txt"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!;
        Assert.Equal("BertForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("bert", config["model_type"]!.GetValue<string>());
        Assert.Equal(64, config["hidden_size"]!.GetValue<int>());

        // The safetensors header: 8-byte length, JSON with {"format":"pt"} metadata and Hugging Face's names.
        var bytes = File.ReadAllBytes(Path.Combine(folder, "model.safetensors"));
        var length = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, length % 8);
        var header = JsonNode.Parse(bytes.AsSpan(8, length))!.AsObject();
        Assert.Equal("pt", header["__metadata__"]!["format"]!.GetValue<string>());
        var golden = SafetensorsFile.ReadHeader(Golden.File("model.safetensors")).Keys.Where(k => !k.EndsWith("position_ids", StringComparison.Ordinal));
        Assert.Equal(golden.Order(StringComparer.Ordinal), header.Select(p => p.Key).Where(k => k != "__metadata__").Order(StringComparer.Ordinal));
        Assert.Equal("F32", header["bert.embeddings.word_embeddings.weight"]!["dtype"]!.GetValue<string>());
        Assert.Equal(File.ReadAllText(Golden.File("vocab.txt")), File.ReadAllText(Path.Combine(folder, "vocab.txt")));
    }

    [Fact]
    public void Sharded_checkpoint_loads_through_its_index()
    {
        TestTorch.Setup();
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        var state = model.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var half = state.Count / 2;
        var shards = new[] { state.Take(half), state.Skip(half) };
        var map = new JsonObject();
        for (var i = 0; i < 2; i++)
        {
            var file = $"model-{i + 1:00000}-of-00002.safetensors";
            SafetensorsFile.Write(Path.Combine(folder, file), shards[i]);
            foreach (var (name, _) in shards[i]) map[name] = file;
        }
        File.WriteAllText(Path.Combine(folder, HfCheckpoint.IndexFile), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
        File.Copy(Golden.File("config.json"), Path.Combine(folder, "config.json"));

        using var sharded = HfCheckpoint.LoadForSequenceClassification(folder, NullLogger.Instance);
        foreach (var (name, value) in state)
            Assert.True(value.equal(sharded.state_dict()[name]).all().item<bool>(), $"{name} differs after the sharded load");
    }

    [Fact]
    public void Encoder_only_checkpoint_gets_a_fresh_classifier()
    {
        TestTorch.Setup();
        using var model = HfCheckpoint.LoadForSequenceClassification(Golden.Directory, NullLogger.Instance);
        HfCheckpoint.Save(model.Bert, folder, vocabularyFile: null);
        var log = new ListLogger();
        var loaded = HfCheckpoint.LoadForSequenceClassification(folder, log, c => c with { Id2Label = new Dictionary<int, string> { [0] = "a", [1] = "b", [2] = "c" } });
        Assert.Contains(log.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("classifier.weight, classifier.bias", StringComparison.Ordinal));
        using var _ = loaded;
        Assert.True(model.Bert.state_dict()["encoder.layer.1.output.dense.weight"].equal(loaded.Bert.state_dict()["encoder.layer.1.output.dense.weight"]).all().item<bool>());
        Assert.Equal([3L, 64L], loaded.state_dict()["classifier.weight"].shape);
        Assert.True(loaded.state_dict()["classifier.weight"].std().item<float>() is > 0.01f and < 0.03f);
    }
}
