using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Web.Components.Shared;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>What one compared run recorded, under the label the sentences use for it.</summary>
/// <param name="Label">The run's name (with its short id when two runs share a name).</param>
/// <param name="Metadata">Its metadata values as text.</param>
public sealed record RunFacts(string Label, IReadOnlyDictionary<string, string> Metadata);

/// <summary>One reason the runs are not strictly comparable.</summary>
/// <param name="Key">The metadata key it is about.</param>
/// <param name="Message">The reason as a sentence naming the runs.</param>
public sealed record ComparabilityIssue(string Key, string Message);

/// <summary>
/// Whether runs are strictly comparable: same precision, device and hardware, threads, math kernels, data, vocabulary,
/// base model, framework versions and runtime switches. Each difference, and each of those facts a run did not record,
/// is one reason, worded so that it can be read in a banner without the table.
/// </summary>
public static class Comparability
{
    /// <summary>The keys every run must record, in the order their reasons are listed.</summary>
    public static IReadOnlyList<ComparabilityRule> Rules { get; } =
    [
        new("precision", "precision", RuleStyle.Narrative, "trained in", "in"),
        new("device", "device", RuleStyle.Narrative, "ran on", "on"),
        new("device_name", "device name", RuleStyle.Values, "different hardware:"),
        new("threads", "thread count", RuleStyle.Narrative, "used", "", " threads"),
        new("math_kernels", "math kernels", RuleStyle.Values, "different math kernels:"),
        new("data.sha256", "dataset hash", RuleStyle.Hashes, "different datasets: sha256"),
        new("tokenizer.vocab_sha256", "vocabulary hash", RuleStyle.Hashes, "different vocabularies: sha256"),
        new("model.base_sha256", "base model hash", RuleStyle.Hashes, "different base models: sha256"),
        new("versions.torchsharp", "TorchSharp version", RuleStyle.Values, "different TorchSharp versions:"),
        new("versions.libtorch", "libtorch version", RuleStyle.Values, "different libtorch versions:"),
        new("versions.dotnet", ".NET version", RuleStyle.Values, "different .NET versions:"),
        new("versions.tokenizers", "Microsoft.ML.Tokenizers version", RuleStyle.Values, "different Microsoft.ML.Tokenizers versions:"),
    ];

    // The build of EarlyBert itself is on every run and changes with every commit; it identifies, it does not
    // decide numerics the way the frameworks under it do, so it is shown in the table but raises no banner.
    private static readonly HashSet<string> NotCompared = ["versions.earlybert", "versions.earlybert_commit"];

    /// <summary>Every reason <paramref name="runs"/> are not strictly comparable; none when they are.</summary>
    public static IReadOnlyList<ComparabilityIssue> Check(IReadOnlyList<RunFacts> runs)
    {
        var issues = new List<ComparabilityIssue>();
        foreach (var rule in Rules.Concat(OptionalRules(runs)))
        {
            issues.AddRange(CheckRule(rule, runs));
        }

        return issues;
    }

    /// <summary>The facts of a tracker comparison's runs, labelled by name (with a short id where names repeat).</summary>
    public static IReadOnlyList<RunFacts> FactsOf(Comparison comparison)
    {
        var repeated = comparison.Runs.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return comparison.Runs.Select((run, i) => new RunFacts(
            repeated.Contains(run.Name) ? $"{run.Name} ({run.Id.ToString()[..8]})" : run.Name,
            comparison.Metadata
                .Where(m => m.Values[i] is not null)
                .ToDictionary(m => m.Key, m => JsonText.Of(m.Values[i]!.Value), StringComparer.Ordinal)))
            .ToList();
    }

    // Further framework versions (CUDA, the GPU driver) and the runtime switches are compared when any run records them.
    private static IEnumerable<ComparabilityRule> OptionalRules(IReadOnlyList<RunFacts> runs) => runs
        .SelectMany(r => r.Metadata.Keys)
        .Where(key => (key.StartsWith("versions.", StringComparison.Ordinal) || key.StartsWith("runtime.", StringComparison.Ordinal))
            && !NotCompared.Contains(key) && Rules.All(rule => rule.Key != key))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .Select(key => key.StartsWith("runtime.", StringComparison.Ordinal)
            ? new ComparabilityRule(key, key, RuleStyle.Values, $"different runtime switch {key}:", Required: false)
            : new ComparabilityRule(key, key, RuleStyle.Values, $"different {key}:", Required: false));

    private static IEnumerable<ComparabilityIssue> CheckRule(ComparabilityRule rule, IReadOnlyList<RunFacts> runs)
    {
        var missing = runs.Where(r => !r.Metadata.ContainsKey(rule.Key)).Select(r => r.Label).ToList();
        if (missing.Count > 0 && (rule.Required || missing.Count < runs.Count))
        {
            var verb = missing.Count == 1 ? "records" : "record";
            // Twenty names repeated for each fact nobody recorded would bury the reasons that name a difference.
            yield return new(rule.Key, missing.Count == runs.Count && runs.Count > 2
                ? $"none of the {runs.Count} runs records its {rule.Noun}"
                : $"{Runs(missing)} {verb} no {rule.Noun}");
        }

        // Groups of runs by value, in order of first appearance: the first run's group first.
        var groups = runs
            .Where(r => r.Metadata.ContainsKey(rule.Key))
            .GroupBy(r => r.Metadata[rule.Key], StringComparer.Ordinal)
            .Select(g => (Value: g.Key, Labels: g.Select(r => r.Label).ToList()))
            .ToList();
        if (groups.Count > 1)
        {
            yield return new(rule.Key, Sentence(rule, groups));
        }
    }

    private static string Sentence(ComparabilityRule rule, List<(string Value, List<string> Labels)> groups)
    {
        if (rule.Style == RuleStyle.Narrative)
        {
            // The runs that deviate from the first run come first: "run b trained in bf16-mixed, run a in float32".
            var ordered = groups.Skip(1).Append(groups[0]).ToList();
            return string.Join(", ", ordered.Select((g, i) =>
                i == 0
                    ? $"{Runs(g.Labels)} {rule.Lead} {g.Value}{rule.Suffix}"
                    : $"{Runs(g.Labels)} {(rule.Then.Length > 0 ? rule.Then + " " : "")}{g.Value}{rule.Suffix}"));
        }

        var shown = rule.Style == RuleStyle.Hashes ? Abbreviate(groups.Select(g => g.Value).ToList()) : groups.Select(g => g.Value).ToList();
        return $"{rule.Lead} " + string.Join(" vs ", groups.Select((g, i) => $"{shown[i]} ({string.Join(", ", g.Labels)})"));
    }

    /// <summary>"run a", "runs a and b", "runs a, b and c".</summary>
    public static string Runs(IReadOnlyList<string> labels) => labels.Count switch
    {
        1 => $"run {labels[0]}",
        _ => $"runs {string.Join(", ", labels.Take(labels.Count - 1))} and {labels[^1]}",
    };

    /// <summary>Cuts hashes to the shortest common length, 12 or more, at which they are still all different.</summary>
    public static IReadOnlyList<string> Abbreviate(IReadOnlyList<string> hashes)
    {
        var longest = hashes.Max(h => h.Length);
        for (var length = 12; length < longest; length++)
        {
            if (hashes.Select(h => h[..Math.Min(length, h.Length)]).Distinct(StringComparer.Ordinal).Count() == hashes.Count)
            {
                return hashes.Select(h => h.Length > length ? h[..length] + "…" : h).ToList();
            }
        }

        return hashes;
    }
}
