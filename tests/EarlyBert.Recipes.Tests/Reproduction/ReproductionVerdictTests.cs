using EarlyBert.Recipes.Reproduction;

namespace EarlyBert.Recipes.Tests.Reproduction;

public sealed class ReproductionVerdictTests
{
    private static List<MetricValue> Run(params (string Key, long Step, double Value)[] values) =>
        values.Select(v => new MetricValue(v.Key, v.Step, v.Value)).ToList();

    private static readonly List<MetricValue> Parent = Run(
        ("train/loss", 1, 0.70), ("train/loss", 2, 0.65), ("train/loss", 3, 0.60),
        ("eval/loss", 3, 0.62), ("eval/accuracy", 3, 0.75), ("train/seq_per_s", 1, 100), ("train/seq_per_s", 2, 110));

    [Fact]
    public void Same_losses_and_eval_metrics_are_identical_whatever_the_timings()
    {
        var child = Parent.Select(v => v.Key == "train/seq_per_s" ? v with { Value = v.Value * 2 } : v).ToList();
        var verdict = ReproductionVerdict.Judge(Parent, child, 1e-4);
        Assert.Equal(VerdictKind.Identical, verdict.Kind);
        Assert.Equal("identical", verdict.Name);
        Assert.Equal(0, verdict.MaxRelativeDifference);
        Assert.Null(verdict.FirstDivergence);
        // Timing metrics are not compared, so they are not charted either.
        Assert.Equal(["eval/accuracy", "eval/loss", "train/loss"], verdict.Differences.Select(d => d.Metric));
        Assert.All(verdict.Differences.SelectMany(d => d.RelativeDifferences), d => Assert.Equal(0, d));
    }

    [Fact]
    public void Losses_apart_by_at_most_the_tolerance_are_within_tolerance_with_the_largest_difference()
    {
        var child = Parent.Select(v => v is { Key: "train/loss", Step: 2 } ? v with { Value = 0.65 * (1 + 5e-5) } : v).ToList();
        var verdict = ReproductionVerdict.Judge(Parent, child, 1e-4);
        Assert.Equal(VerdictKind.WithinTolerance, verdict.Kind);
        Assert.Equal("within tolerance", verdict.Name);
        Assert.InRange(verdict.MaxRelativeDifference, 4.99e-5, 5.01e-5);
        Assert.StartsWith("within tolerance (max relative difference 4.99", verdict.Describe());
        var loss = verdict.Differences.Single(d => d.Metric == "train/loss");
        Assert.Equal([1L, 2, 3], loss.Steps);
        Assert.Equal(0, loss.RelativeDifferences[0]);
        Assert.True(loss.RelativeDifferences[1] > 0);
    }

    [Fact]
    public void A_loss_beyond_the_tolerance_diverges_at_its_first_step_naming_the_metric_and_both_values()
    {
        var child = Parent.Select(v => v.Key switch
        {
            "train/loss" when v.Step >= 2 => v with { Value = v.Value + 0.01 },
            "eval/loss" => v with { Value = 0.7 },
            _ => v,
        }).ToList();
        var verdict = ReproductionVerdict.Judge(Parent, child, 1e-4);
        Assert.Equal(VerdictKind.Diverged, verdict.Kind);
        Assert.Equal("diverged at step 2", verdict.Name);
        Assert.Equal(new Divergence(2, "train/loss", 0.65, 0.66, ReproductionVerdict.RelativeDifference(0.65, 0.66)), verdict.FirstDivergence);
        Assert.Equal("diverged at step 2: train/loss 0.65 (parent) vs 0.66 (reproduction)", verdict.Describe());
        Assert.Equal(ReproductionVerdict.RelativeDifference(0.62, 0.7), verdict.MaxRelativeDifference);
    }

    [Fact]
    public void A_differing_eval_accuracy_breaks_identity_but_not_the_loss_tolerance()
    {
        var child = Parent.Select(v => v.Key == "eval/accuracy" ? v with { Value = 0.76 } : v).ToList();
        var verdict = ReproductionVerdict.Judge(Parent, child, 1e-4);
        Assert.Equal(VerdictKind.WithinTolerance, verdict.Kind);
        Assert.Equal(0, verdict.MaxRelativeDifference);
    }

    [Fact]
    public void Bitwise_identity_is_stricter_than_a_zero_tolerance_on_signed_zeros()
    {
        var parent = Run(("train/loss", 1, 0.0));
        var child = Run(("train/loss", 1, -0.0));
        Assert.Equal(VerdictKind.WithinTolerance, ReproductionVerdict.Judge(parent, child, 0).Kind);
    }

    [Fact]
    public void Nan_losses_in_both_runs_are_identical_and_a_nan_in_one_run_diverges_there()
    {
        var parent = Run(("train/loss", 1, 0.7), ("train/loss", 2, double.NaN));
        Assert.Equal(VerdictKind.Identical, ReproductionVerdict.Judge(parent, Run(("train/loss", 1, 0.7), ("train/loss", 2, double.NaN)), 1e-4).Kind);

        var verdict = ReproductionVerdict.Judge(parent, Run(("train/loss", 1, 0.7), ("train/loss", 2, 0.69)), 1e-4);
        Assert.Equal(VerdictKind.Diverged, verdict.Kind);
        Assert.Equal(2, verdict.FirstDivergence!.Step);
        Assert.True(double.IsNaN(verdict.FirstDivergence.ParentValue!.Value));
        Assert.Equal(0.69, verdict.FirstDivergence.ChildValue);
        Assert.Equal(double.PositiveInfinity, verdict.FirstDivergence.RelativeDifference);
        Assert.Equal("diverged at step 2: train/loss NaN (parent) vs 0.69 (reproduction)", verdict.Describe());
    }

    [Fact]
    public void A_value_the_reproduction_lacks_diverges_at_that_step_with_no_child_value()
    {
        var child = Parent.Where(v => !(v.Key == "eval/accuracy")).ToList();
        var verdict = ReproductionVerdict.Judge(Parent, child, 1e-4);
        Assert.Equal(VerdictKind.Diverged, verdict.Kind);
        Assert.Equal(new Divergence(3, "eval/accuracy", 0.75, null, double.PositiveInfinity), verdict.FirstDivergence);
        Assert.EndsWith("0.75 (parent) vs none (reproduction)", verdict.Describe());
    }

    [Fact]
    public void Extra_steps_of_the_reproduction_count_against_a_finished_parent_but_not_a_stopped_one()
    {
        var child = Parent.Append(new MetricValue("train/loss", 4, 0.55)).ToList();
        Assert.Equal("diverged at step 4", ReproductionVerdict.Judge(Parent, child, 1e-4).Name);
        Assert.Equal(VerdictKind.Identical, ReproductionVerdict.Judge(Parent, child, 1e-4, parentComplete: false).Kind);
    }

    [Theory]
    [InlineData(1.0, 1.0, 0.0)]
    [InlineData(1.0, 1.1, 0.1 / 1.1)]
    [InlineData(-2.0, 2.0, 2.0)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, 0.0)]
    [InlineData(double.PositiveInfinity, double.NegativeInfinity, double.PositiveInfinity)]
    [InlineData(double.NaN, 1.0, double.PositiveInfinity)]
    public void Relative_difference_is_symmetric_and_scaled_by_the_larger_magnitude(double a, double b, double expected)
    {
        Assert.Equal(expected, ReproductionVerdict.RelativeDifference(a, b), 12);
        Assert.Equal(expected, ReproductionVerdict.RelativeDifference(b, a), 12);
    }

    [Fact]
    public void Hash_mismatches_name_the_key_and_both_hashes_and_version_differences_are_listed()
    {
        var parent = new Dictionary<string, string> { ["data.sha256"] = "aaa", ["tokenizer.vocab_sha256"] = "v", ["versions.torchsharp"] = "0.105.0", ["device"] = "cpu", ["host"] = "a" };
        var child = new Dictionary<string, string> { ["data.sha256"] = "bbb", ["tokenizer.vocab_sha256"] = "v", ["versions.torchsharp"] = "0.105.1", ["device"] = "cpu", ["host"] = "b" };
        var mismatches = ReproductionPreconditions.HashMismatches(parent, child);
        Assert.Equal([new MetadataDifference("data.sha256", "aaa", "bbb")], mismatches);
        Assert.Equal("not reproducible: data.sha256 differs (parent aaa, reproduction bbb)", ReproductionPreconditions.DescribeMismatches(mismatches));
        var environment = ReproductionPreconditions.EnvironmentDifferences(parent, child);
        Assert.Equal([new MetadataDifference("versions.torchsharp", "0.105.0", "0.105.1")], environment);
        Assert.Equal("reproduced under different versions: versions.torchsharp 0.105.0 → 0.105.1", ReproductionPreconditions.DescribeEnvironment(environment));
        Assert.Null(ReproductionPreconditions.DescribeEnvironment([]));
    }
}
