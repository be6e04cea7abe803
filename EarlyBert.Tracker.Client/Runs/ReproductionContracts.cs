namespace EarlyBert.Tracker.Client.Runs;

/// <summary>The verdicts a reproduction can get (<see cref="RunReproduction.Verdict"/>).</summary>
public static class ReproductionVerdicts
{
    /// <summary>Every logged loss and evaluation metric bit for bit equal.</summary>
    public const string Identical = "identical";

    /// <summary>Every logged loss within the relative tolerance of the reproduction's config.</summary>
    public const string WithinTolerance = "within tolerance";

    /// <summary>The prefix of <c>diverged at step N</c>.</summary>
    public const string DivergedPrefix = "diverged at step ";

    /// <summary>The reproduction did not run to its end: refused by its preconditions, failed or cancelled.</summary>
    public const string NotReproduced = "not reproduced";
}

/// <summary>
/// The body of <c>POST /api/runs/{id}/reproduce</c> (optional).
/// </summary>
/// <param name="Overrides">
/// Config keys to change, as the CLI's <c>--set key=value</c>: a dotted key to a value read as JSON when it is valid
/// JSON, else as a string (<c>{"training.threads": "1"}</c>). Recorded on the reproduction as its differences from the parent.
/// </param>
public sealed record ReproduceRun(IReadOnlyDictionary<string, string>? Overrides = null);

/// <summary>What makes a run a reproduction, and how it went.</summary>
/// <param name="ParentRunId">The run it reproduces.</param>
/// <param name="Overrides">Config overrides asked for (key to value as given); empty for a reproduction of the config verbatim.</param>
/// <param name="Verdict">
/// <c>identical</c>, <c>within tolerance</c>, <c>diverged at step N</c> or <c>not reproduced</c> (see
/// <see cref="ReproductionVerdicts"/>); null until the reproduction has ended.
/// </param>
/// <param name="Description">The verdict with what decided it, e.g. <c>diverged at step 4: train/loss 0.69 (parent) vs 0.71 (reproduction)</c>.</param>
/// <param name="Tolerance">The relative tolerance of losses it was judged with (the reproduction's <c>reproduction.tolerance</c>).</param>
/// <param name="MaxRelativeDifference">The largest relative difference of any logged loss; null when not compared.</param>
/// <param name="FirstDivergence">Where it diverged; null unless the verdict is <c>diverged at step N</c>.</param>
/// <param name="Precondition">
/// <c>passed</c> when the data, vocabulary and base-model hashes equal the parent's; the refusal naming each differing
/// hash and both values otherwise; null while unknown (the reproduction has not loaded its data yet).
/// </param>
/// <param name="EnvironmentDifferences">Versions, device, driver or math kernels that differ from the parent's.</param>
/// <param name="EnvironmentNote"><c>reproduced under different versions: …</c>; null when nothing differs.</param>
/// <param name="JudgedAt">When the verdict was reached.</param>
public sealed record RunReproduction(
    Guid ParentRunId,
    IReadOnlyDictionary<string, string> Overrides,
    string? Verdict,
    string? Description,
    double? Tolerance,
    double? MaxRelativeDifference,
    ReproductionDivergence? FirstDivergence,
    string? Precondition,
    IReadOnlyList<ReproductionDifference> EnvironmentDifferences,
    string? EnvironmentNote,
    DateTimeOffset? JudgedAt);

/// <summary>Where a reproduction first left its parent.</summary>
/// <param name="Step">The step.</param>
/// <param name="Metric">The metric key.</param>
/// <param name="ParentValue">The parent's value; null when it has none there.</param>
/// <param name="ChildValue">The reproduction's value; null when it has none there.</param>
/// <param name="RelativeDifference">Their relative difference (<c>Infinity</c> when one is missing or NaN).</param>
public sealed record ReproductionDivergence(long Step, string Metric, double? ParentValue, double? ChildValue, double RelativeDifference);

/// <summary>A metadata value that differs between a run and its reproduction.</summary>
/// <param name="Key">Metadata key, e.g. <c>versions.torchsharp</c>.</param>
/// <param name="Parent">The parent's value.</param>
/// <param name="Child">The reproduction's value.</param>
public sealed record ReproductionDifference(string Key, string? Parent, string? Child);

/// <summary>The relative difference of one compared metric at each step (for a chart).</summary>
/// <param name="Metric">Metric key (losses and <c>eval/…</c>).</param>
/// <param name="Steps">Steps, ascending.</param>
/// <param name="RelativeDifferences">The relative difference at each step (<c>Infinity</c> where one run lacks the value).</param>
public sealed record ReproductionSeries(string Metric, IReadOnlyList<long> Steps, IReadOnlyList<double> RelativeDifferences);

/// <summary>The answer of <c>GET /api/runs/{id}/reproduction</c>.</summary>
/// <param name="RunId">The reproduction.</param>
/// <param name="Status">Its status.</param>
/// <param name="Reproduction">Overrides, verdict, preconditions and environment differences.</param>
/// <param name="Differences">Per compared metric, the relative difference per step so far.</param>
public sealed record ReproductionReport(Guid RunId, string Status, RunReproduction Reproduction, IReadOnlyList<ReproductionSeries> Differences);
