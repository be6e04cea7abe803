using System.Text;
using EarlyBert.Recipes;
using EarlyBert.Training.Data;

namespace EarlyBert.Training.Tests.Data;

public sealed class SplitTests : IDisposable
{
    private readonly DataFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void SplitMix64_matches_the_reference_sequence()
    {
        var rng = new SplitMix64(0);
        Assert.Equal([0xE220A8397B1DCDAFUL, 0x6E789E6AA1B965F4UL, 0x06C45D188009454FUL], [rng.Next(), rng.Next(), rng.Next()]);
    }

    [Fact]
    public async Task Split_holds_out_the_fraction_of_each_label()
    {
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = WriteExamples(a: 300, b: 100), ValidationFraction = 0.1 });

        Assert.Equal(30, data.Validation.Count(e => data.Id2Label[e.Label] == "a"));
        Assert.Equal(10, data.Validation.Count(e => data.Id2Label[e.Label] == "b"));
        Assert.Equal(360, data.Train.Count);
        Assert.Empty(data.Train.Select(e => e.Text).Intersect(data.Validation.Select(e => e.Text)));
    }

    [Fact]
    public async Task Same_seed_gives_the_same_split_and_another_seed_another()
    {
        var file = WriteExamples(a: 50, b: 50);
        var first = await _folder.LoadAsync(new DataConfig { TrainFile = file, SplitSeed = 7 });
        var again = await _folder.LoadAsync(new DataConfig { TrainFile = file, SplitSeed = 7 });
        var other = await _folder.LoadAsync(new DataConfig { TrainFile = file, SplitSeed = 8 });

        Assert.Equal(first.Validation.Select(e => e.Text), again.Validation.Select(e => e.Text));
        Assert.Equal(first.Sha256, again.Sha256);
        Assert.NotEqual(first.Validation.Select(e => e.Text), other.Validation.Select(e => e.Text));
        Assert.NotEqual(first.Sha256, other.Sha256);
    }

    [Fact]
    public async Task Split_is_pinned_across_machines_and_runtimes()
    {
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = WriteExamples(a: 10, b: 10), ValidationFraction = 0.2, SplitSeed = 42 });

        // Fixed by SplitMix64 and the documented procedure (checked against an independent Python implementation);
        // a change here changes every run's split.
        Assert.Equal(["a4", "a6", "b0", "b3"], data.Validation.Select(e => e.Text));
    }

    [Fact]
    public async Task A_label_with_one_example_stays_in_training()
    {
        var file = _folder.Write("t.csv", "text,label\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"a{i},a\n")) + "lonely,b\n");
        var data = await _folder.LoadAsync(new DataConfig { TrainFile = file, ValidationFraction = 0.5 });

        Assert.Contains(data.Train, e => e.Text == "lonely");
        Assert.Equal(10, data.Validation.Count);
    }

    [Fact]
    public async Task Max_train_examples_keeps_a_stratified_subset_in_file_order()
    {
        var data = await _folder.LoadAsync(new DataConfig
        {
            TrainFile = WriteExamples(a: 900, b: 100), ValidationFraction = 0.1, MaxTrainExamples = 60, MaxValidationExamples = 20,
        });

        Assert.Equal(60, data.Train.Count);
        Assert.Equal(6, data.Train.Count(e => data.Id2Label[e.Label] == "b"));
        Assert.Equal(20, data.Validation.Count);
        Assert.Equal(2, data.Validation.Count(e => data.Id2Label[e.Label] == "b"));
        var order = data.Train.Select(e => (e.Text![0], int.Parse(e.Text[1..], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(order.OrderBy(p => p.Item1).ThenBy(p => p.Item2), order);
    }

    [Fact]
    public async Task Capping_the_training_set_leaves_the_validation_split_alone()
    {
        var file = WriteExamples(a: 100, b: 100);
        var full = await _folder.LoadAsync(new DataConfig { TrainFile = file });
        var capped = await _folder.LoadAsync(new DataConfig { TrainFile = file, MaxTrainExamples = 10 });

        Assert.Equal(full.Validation.Select(e => e.Text), capped.Validation.Select(e => e.Text));
    }

    [Fact]
    public void Quotas_keep_every_label_while_the_cap_allows()
    {
        Assert.Equal([9, 1], StratifiedSampling.Quotas([1000, 5], 10));
        Assert.Equal([2, 2, 1], StratifiedSampling.Quotas([10, 10, 10], 5));
        Assert.Equal([1, 1, 1], StratifiedSampling.Quotas([98, 1, 1], 3));
    }

    private string WriteExamples(int a, int b)
    {
        var csv = new StringBuilder("text,label\n");
        for (var i = 0; i < a; i++) csv.Append($"a{i},a\n");
        for (var i = 0; i < b; i++) csv.Append($"b{i},b\n");
        return _folder.Write("examples.csv", csv.ToString());
    }
}
