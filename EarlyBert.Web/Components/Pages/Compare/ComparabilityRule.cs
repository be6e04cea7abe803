namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>How a metadata key that differs between runs is put in words.</summary>
public enum RuleStyle
{
    /// <summary>A sentence about the runs: "run b trained in bf16-mixed, run a in float32".</summary>
    Narrative,

    /// <summary>A list of values: "different datasets: sha256 ab12… (a) vs cd34… (b)".</summary>
    Values,

    /// <summary>Like <see cref="Values"/>, with hashes cut to the shortest prefix (12 or more) that keeps them apart.</summary>
    Hashes,
}

/// <summary>One metadata key that must be equal for runs to be strictly comparable, and its wording.</summary>
/// <param name="Key">Metadata key, for example <c>precision</c>.</param>
/// <param name="Noun">What a run lacking the key does not record: "run c records no {Noun}".</param>
/// <param name="Style">How a difference is worded.</param>
/// <param name="Lead">
/// Narrative: the verb before the first group's value ("trained in"); Values and Hashes: the words before the values
/// ("different datasets: sha256").
/// </param>
/// <param name="Then">Narrative only: the words before each later group's value ("in").</param>
/// <param name="Suffix">Narrative only: the words after each value (" threads").</param>
/// <param name="Required">Whether a run lacking the key is a reason on its own; else only when another run records it.</param>
public sealed record ComparabilityRule(
    string Key, string Noun, RuleStyle Style, string Lead, string Then = "", string Suffix = "", bool Required = true);
