using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

// One test on its own database: the key lists are global, so another test's runs would show in them.
public sealed class RunKeysTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Keys_lists_every_param_metric_tag_and_metadata_key_once_in_order()
    {
        var empty = await client.ListRunKeysAsync(CancellationToken.None);
        Assert.All(new[] { empty.Params, empty.Metrics, empty.Tags, empty.Metadata }, Assert.Empty);

        foreach (var (lr, extra) in new[] { ("1e-4", "warmup"), ("3e-5", "seed") })
        {
            var run = await tracker.NewRunAsync();
            await client.LogBatchAsync(run.Id, new RunBatch(
                Guid.NewGuid(),
                [new MetricPoint("train/loss", 1, 0.5), new MetricPoint("eval/accuracy", 1, 0.9), new MetricPoint($"eval/{extra}", 1, 1)],
                new Dictionary<string, string> { ["learning_rate"] = lr, [extra] = "1" },
                new Dictionary<string, string> { ["dataset"] = "spam" },
                new Dictionary<string, JsonElement> { ["precision"] = JsonSerializer.SerializeToElement("float32"), ["versions.torchsharp"] = JsonSerializer.SerializeToElement("0.105") }),
                CancellationToken.None);
        }

        var keys = await client.ListRunKeysAsync(CancellationToken.None);

        Assert.Equal(["learning_rate", "seed", "warmup"], keys.Params);
        Assert.Equal(["eval/accuracy", "eval/seed", "eval/warmup", "train/loss"], keys.Metrics);
        Assert.Equal(["dataset"], keys.Tags);
        Assert.Equal(["precision", "versions.torchsharp"], keys.Metadata);
    }
}
