using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Hardening;

public sealed class NumericSearchTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Stored_values_beyond_double_never_make_a_numeric_search_or_sort_fail()
    {
        var experiment = $"numeric-{Guid.NewGuid():N}";
        var values = new Dictionary<string, string>
        {
            ["overflow"] = "1e999",
            ["negative-overflow"] = "-1e999",
            ["huge-integer"] = "1" + new string('0', 400),
            ["underflow"] = "1e-400",
            ["long-tiny"] = "0." + new string('0', 400) + "1",
            ["nan"] = "NaN",
            ["half"] = "0.5",
            ["long-half"] = "0.5" + new string('0', 100),
            ["text"] = "auto",
        };
        var ids = new Dictionary<string, Guid>();
        foreach (var (name, value) in values)
        {
            var run = await tracker.NewRunAsync(RunStatuses.Running, experiment, name);
            await client.LogBatchAsync(run.Id, new RunBatch(
                Guid.NewGuid(), null,
                new Dictionary<string, string> { ["lr"] = value },
                new Dictionary<string, string> { ["t"] = value },
                new Dictionary<string, JsonElement> { ["m"] = JsonSerializer.SerializeToElement(value) }), CancellationToken.None);
            ids[name] = run.Id;
        }

        async Task<string[]> Names(string condition, string order = "name")
        {
            var page = await client.SearchRunsAsync($"experiment = \"{experiment}\" and ({condition})", order, 0, 50, CancellationToken.None);
            return [.. page.Runs.Select(r => r.Name).Order(StringComparer.Ordinal)];
        }

        foreach (var field in new[] { "params.lr", "tags.t", "metadata.m" })
        {
            Assert.Equal(["half", "long-half"], await Names($"{field} > 0.1 and {field} < 1e300"));
            // Beyond double: +Infinity. NaN is above every number, as PostgreSQL orders float8.
            Assert.Equal(["huge-integer", "nan", "overflow"], await Names($"{field} > 1e300"));
            Assert.Equal(["negative-overflow"], await Names($"{field} < 0"));
            Assert.Equal(["long-tiny", "underflow"], await Names($"{field} = 0"));
            Assert.Equal(["half", "long-half"], await Names($"{field} in (0.5, 2)"));
        }

        // Sorting by the param casts every value too.
        var sorted = await client.SearchRunsAsync($"experiment = \"{experiment}\"", "params.lr asc", 0, 50, CancellationToken.None);
        Assert.Equal(values.Count, sorted.Runs.Count);
        Assert.Equal("negative-overflow", sorted.Runs[0].Name);
    }
}
