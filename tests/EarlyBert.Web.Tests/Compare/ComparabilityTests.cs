using System.Text.Json;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Compare;

namespace EarlyBert.Web.Tests.Compare;

public sealed class ComparabilityTests
{
    private const string DataA = "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";
    private const string DataB = "cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34";

    // Everything a trainer run records that the rules look at, equal on every run unless a test changes it.
    private static Dictionary<string, string> Complete() => new(StringComparer.Ordinal)
    {
        ["precision"] = "float32",
        ["device"] = "cpu",
        ["device_name"] = "AMD EPYC 7763",
        ["threads"] = "2",
        ["math_kernels"] = "MKL avx2 kernels on AuthenticAMD",
        ["data.sha256"] = DataA,
        ["tokenizer.vocab_sha256"] = "07a4f1e2",
        ["model.base_sha256"] = "5b1f9d0c",
        ["versions.torchsharp"] = "0.107.0",
        ["versions.libtorch"] = "2.10.0",
        ["versions.dotnet"] = "10.0.1",
        ["versions.tokenizers"] = "2.0.1",
        ["runtime.fused_adam"] = "true",
        ["versions.earlybert"] = "1.0.0+abc",
    };

    private static RunFacts Run(string label, Action<Dictionary<string, string>>? change = null)
    {
        var metadata = Complete();
        change?.Invoke(metadata);
        return new RunFacts(label, metadata);
    }

    private static IReadOnlyList<string> Reasons(params RunFacts[] runs) => Comparability.Check(runs).Select(i => i.Message).ToList();

    [Fact]
    public void Runs_that_recorded_the_same_facts_are_strictly_comparable()
    {
        Assert.Empty(Reasons(Run("a"), Run("b"), Run("c")));
    }

    [Fact]
    public void Different_precision_names_the_deviating_run_first()
    {
        Assert.Equal(["run b trained in bf16-mixed, run a in float32"], Reasons(Run("a"), Run("b", m => m["precision"] = "bf16-mixed")));
    }

    [Fact]
    public void Precision_across_three_runs_groups_runs_by_value()
    {
        Assert.Equal(["runs b and c trained in bf16-mixed, run a in float32"],
            Reasons(Run("a"), Run("b", m => m["precision"] = "bf16-mixed"), Run("c", m => m["precision"] = "bf16-mixed")));
    }

    [Fact]
    public void Different_datasets_show_abbreviated_hashes_per_run()
    {
        Assert.Equal(["different datasets: sha256 ab12cd34ef56… (a) vs cd34ef56ab12… (b, c)"],
            Reasons(Run("a"), Run("b", m => m["data.sha256"] = DataB), Run("c", m => m["data.sha256"] = DataB)));
    }

    [Fact]
    public void Hashes_that_share_twelve_characters_are_cut_where_they_differ()
    {
        Assert.Equal(["000000000000a…", "000000000000b…"], Comparability.Abbreviate(["000000000000aaaa", "000000000000bbbb"]));
        Assert.Equal(["07a4", "07a5"], Comparability.Abbreviate(["07a4", "07a5"]));
    }

    [Fact]
    public void Different_vocabularies_and_base_models_are_reasons()
    {
        Assert.Equal(["different vocabularies: sha256 07a4f1e2 (a) vs 99999999 (b)", "different base models: sha256 5b1f9d0c (a) vs random (b)"],
            Reasons(Run("a"), Run("b", m => { m["tokenizer.vocab_sha256"] = "99999999"; m["model.base_sha256"] = "random"; })));
    }

    [Fact]
    public void Different_devices_hardware_threads_and_kernels_are_each_a_reason()
    {
        var reasons = Reasons(Run("a"), Run("b", m =>
        {
            m["device"] = "cuda:0";
            m["device_name"] = "NVIDIA H200";
            m["threads"] = "16";
            m["math_kernels"] = "cuBLAS";
        }));

        Assert.Equal(
        [
            "run b ran on cuda:0, run a on cpu",
            "different hardware: AMD EPYC 7763 (a) vs NVIDIA H200 (b)",
            "run b used 16 threads, run a 2 threads",
            "different math kernels: MKL avx2 kernels on AuthenticAMD (a) vs cuBLAS (b)",
        ], reasons);
    }

    [Fact]
    public void Each_framework_version_is_its_own_reason()
    {
        var reasons = Reasons(Run("a"), Run("b", m =>
        {
            m["versions.torchsharp"] = "0.106.0";
            m["versions.libtorch"] = "2.9.0";
            m["versions.dotnet"] = "9.0.4";
            m["versions.tokenizers"] = "1.0.2";
        }));

        Assert.Equal(
        [
            "different TorchSharp versions: 0.107.0 (a) vs 0.106.0 (b)",
            "different libtorch versions: 2.10.0 (a) vs 2.9.0 (b)",
            "different .NET versions: 10.0.1 (a) vs 9.0.4 (b)",
            "different Microsoft.ML.Tokenizers versions: 2.0.1 (a) vs 1.0.2 (b)",
        ], reasons);
    }

    [Fact]
    public void Runtime_switches_and_further_versions_are_compared_when_recorded()
    {
        Assert.Equal(
        [
            "different runtime switch runtime.fused_adam: true (a) vs false (b)",
            "different versions.cuda: 12.4 (a) vs 12.8 (b)",
        ], Reasons(Run("a", m => m["versions.cuda"] = "12.4"), Run("b", m => { m["runtime.fused_adam"] = "false"; m["versions.cuda"] = "12.8"; })));
    }

    [Fact]
    public void A_runtime_switch_only_some_runs_record_is_a_reason()
    {
        Assert.Equal(["run b records no runtime.philox_dropout"], Reasons(Run("a", m => m["runtime.philox_dropout"] = "true"), Run("b")));
    }

    [Fact]
    public void A_run_missing_a_required_fact_is_a_reason_even_when_the_others_agree()
    {
        Assert.Equal(["run c records no precision"], Reasons(Run("a"), Run("b"), Run("c", m => m.Remove("precision"))));
    }

    [Fact]
    public void Facts_no_run_recorded_are_reasons_naming_every_run()
    {
        Assert.Equal(["runs a and b record no dataset hash"], Reasons(Run("a", m => m.Remove("data.sha256")), Run("b", m => m.Remove("data.sha256"))));
    }

    [Fact]
    public void A_fact_none_of_three_or_more_runs_recorded_is_one_short_reason_without_their_names()
    {
        Assert.Equal(["none of the 3 runs records its dataset hash"],
            Reasons(Run("a", m => m.Remove("data.sha256")), Run("b", m => m.Remove("data.sha256")), Run("c", m => m.Remove("data.sha256"))));
    }

    [Fact]
    public void A_missing_fact_and_a_difference_among_the_others_are_both_reasons()
    {
        Assert.Equal(["run c records no precision", "run b trained in bf16-mixed, run a in float32"],
            Reasons(Run("a"), Run("b", m => m["precision"] = "bf16-mixed"), Run("c", m => m.Remove("precision"))));
    }

    [Fact]
    public void The_earlybert_build_does_not_make_runs_incomparable()
    {
        Assert.Empty(Reasons(Run("a"), Run("b", m => m["versions.earlybert"] = "1.0.0+def")));
    }

    [Fact]
    public void Run_lists_read_as_english()
    {
        Assert.Equal("run a", Comparability.Runs(["a"]));
        Assert.Equal("runs a and b", Comparability.Runs(["a", "b"]));
        Assert.Equal("runs a, b and c", Comparability.Runs(["a", "b", "c"]));
    }

    [Fact]
    public void Facts_come_from_the_tracker_comparison_with_repeated_names_told_apart()
    {
        var first = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
        var second = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");
        var comparison = new Comparison(
            [new RunSummary(first, "default", "otter", "finished", DateTimeOffset.UnixEpoch), new RunSummary(second, "default", "otter", "finished", DateTimeOffset.UnixEpoch)],
            [],
            [new ComparedMetadata("threads", [JsonDocument.Parse("2").RootElement, JsonDocument.Parse("8").RootElement], true),
             new ComparedMetadata("precision", [JsonDocument.Parse("\"float32\"").RootElement, null], true)],
            []);

        var facts = Comparability.FactsOf(comparison);

        Assert.Equal(["otter (aaaaaaaa)", "otter (bbbbbbbb)"], facts.Select(f => f.Label));
        Assert.Equal("float32", facts[0].Metadata["precision"]);
        Assert.False(facts[1].Metadata.ContainsKey("precision"));
        Assert.Contains("run otter (bbbbbbbb) used 8 threads, run otter (aaaaaaaa) 2 threads", Comparability.Check(facts).Select(i => i.Message));
    }
}
