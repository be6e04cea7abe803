using System.Text.Json.Nodes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.EarlyBird;
using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EarlyBert.Training.Tests.EarlyBird;

public sealed class PrunedCheckpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("earlybert-pruned-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static TicketMask Mask() => new(
        [[true, false, true, true], [false, true, false, true]],
        [Enumerable.Range(0, 128).Select(i => i % 3 != 0).ToArray(), Enumerable.Range(0, 128).Select(i => i < 70).ToArray()]);

    [Fact]
    public void Pruned_model_saves_pruned_heads_and_feed_forward_sizes_and_loads_back_with_the_same_logits()
    {
        using var batch = EarlyBirdModel.Batch();
        using var model = EarlyBirdModel.Load();
        using var pruned = Pruning.Prune(model, Mask());
        HfCheckpoint.Save(pruned, folder, Golden.File("vocab.txt"));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        // transformers' format: layer number as a string key, removed heads of the unpruned layer as the value.
        Assert.Equal("""{"0":[1],"1":[0,2]}""", config["pruned_heads"]!.ToJsonString());
        Assert.Equal("[85,70]", config[BertConfig.IntermediateSizesKey]!.ToJsonString());
        Assert.Equal(128, config["intermediate_size"]!.GetValue<int>());
        Assert.Equal(4, config["num_attention_heads"]!.GetValue<int>());

        using var reloaded = HfCheckpoint.LoadForSequenceClassification(folder, NullLogger.Instance);
        Assert.Equal(pruned.Config.PrunedHeads.ToDictionary(p => p.Key, p => p.Value.ToList()), reloaded.Config.PrunedHeads.ToDictionary(p => p.Key, p => p.Value.ToList()));
        var state = reloaded.state_dict();
        foreach (var (name, value) in pruned.state_dict())
            Assert.True(value.equal(state[name]).all().item<bool>(), $"{name} changed in the round trip");
        var difference = Tolerance.AssertClose(EarlyBirdModel.Logits(pruned, batch), EarlyBirdModel.Logits(reloaded, batch), 0, "reloaded pruned logits");
        output.WriteLine($"pruned round trip max |diff| {difference:E2}");
    }

    [Fact]
    public void Dense_export_is_a_full_shape_folder_without_pruning_keys_that_gives_the_pruned_logits()
    {
        using var batch = EarlyBirdModel.Batch();
        using var model = EarlyBirdModel.Load();
        using var pruned = Pruning.Prune(model, Mask());
        HfCheckpoint.SaveDenseExport(pruned, folder, Golden.File("vocab.txt"));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        Assert.False(config.ContainsKey("pruned_heads"));
        Assert.False(config.ContainsKey(BertConfig.IntermediateSizesKey));
        var shapes = SafetensorsFile.ReadHeader(Path.Combine(folder, HfCheckpoint.WeightsFile));
        using var reloaded = HfCheckpoint.LoadForSequenceClassification(folder, NullLogger.Instance);
        Assert.False(reloaded.Config.IsPruned);
        Assert.Equal(model.state_dict().Keys.Order(StringComparer.Ordinal), shapes.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in model.state_dict())
            Assert.Equal(value.shape, reloaded.state_dict()[name].shape);

        var difference = Tolerance.AssertClose(EarlyBirdModel.Logits(pruned, batch), EarlyBirdModel.Logits(reloaded, batch), 1e-5, "dense export logits");
        output.WriteLine($"dense export max |diff| {difference:E2}");
    }

    [Fact]
    public void Pruning_keys_that_describe_another_model_are_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => BertConfig.Parse("""{"num_hidden_layers": 2, "num_attention_heads": 2, "hidden_size": 8, "pruned_heads": {"0": [0, 1]}}"""));
        Assert.Contains("every head of layer 0", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidDataException>(() => BertConfig.Parse("""{"num_hidden_layers": 2, "intermediate_size": 16, "earlybert_intermediate_sizes": [8]}"""));
        Assert.Contains("one size per layer", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<InvalidDataException>(() => BertConfig.Parse("""{"num_hidden_layers": 2, "pruned_heads": {"5": [0]}}"""));
        Assert.Contains("outside the model", error.Message, StringComparison.Ordinal);
    }
}
