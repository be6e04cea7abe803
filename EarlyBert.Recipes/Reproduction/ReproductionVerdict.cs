using System.Globalization;

namespace EarlyBert.Recipes.Reproduction;

/// <summary>One logged metric value: what a verdict compares.</summary>
/// <param name="Key">Metric key, e.g. <c>train/loss</c>.</param>
/// <param name="Step">Optimizer step.</param>
/// <param name="Value">The value (NaN and infinities included).</param>
public sealed record MetricValue(string Key, long Step, double Value);

/// <summary>The three verdicts.</summary>
public enum VerdictKind
{
    /// <summary>Every compared value bit for bit equal.</summary>
    Identical,
    /// <summary>Every logged loss within the relative tolerance.</summary>
    WithinTolerance,
    /// <summary>A logged loss further apart than the tolerance, or a value one run has and the other lacks.</summary>
    Diverged,
}

/// <summary>Where a reproduction first left its parent.</summary>
/// <param name="Step">The step.</param>
/// <param name="Metric">The metric key.</param>
/// <param name="ParentValue">The parent's value; null when the parent has none at that step.</param>
/// <param name="ChildValue">The reproduction's value; null when it has none at that step.</param>
/// <param name="RelativeDifference">Their relative difference (infinity when one is missing or only one is NaN).</param>
public sealed record Divergence(long Step, string Metric, double? ParentValue, double? ChildValue, double RelativeDifference);

/// <summary>The relative difference of one compared metric at each step: what the Run page charts.</summary>
/// <param name="Metric">Metric key.</param>
/// <param name="Steps">Steps, ascending.</param>
/// <param name="RelativeDifferences">Relative difference at each step (infinity where one run lacks the value).</param>
public sealed record MetricDifferences(string Metric, IReadOnlyList<long> Steps, IReadOnlyList<double> RelativeDifferences);

/// <summary>
/// Whether a run reproduced its parent, judged from both runs' logged metrics. One implementation for the tracker
/// (a reproduction that ends) and the CLI (<c>reproduce --from DIR</c>, <c>reproduce --bundle FILE</c>).
/// </summary>
/// <remarks>
/// Compared are the losses (every key containing <c>loss</c>) and the evaluation metrics (<c>eval/…</c>): timing and
/// memory metrics differ on every run and say nothing about the numerics. <c>identical</c> needs every compared
/// value bit for bit equal (two NaNs count as equal: a NaN loss reproduced is reproduced); <c>within tolerance</c>
/// needs the relative difference <c>|a − b| / max(|a|, |b|)</c> of every logged loss at most the tolerance;
/// anything else, or a compared value one run logged and the other did not, is <c>diverged at step N</c>.
/// </remarks>
/// <param name="Kind">The verdict.</param>
/// <param name="Tolerance">The tolerance it was judged with.</param>
/// <param name="MaxRelativeDifference">The largest relative difference of any logged loss (0 when identical).</param>
/// <param name="FirstDivergence">Where it diverged (for <see cref="VerdictKind.Diverged"/>), else null.</param>
/// <param name="Differences">Per compared metric, the relative difference at each step.</param>
public sealed record ReproductionVerdict(
    VerdictKind Kind, double Tolerance, double MaxRelativeDifference, Divergence? FirstDivergence, IReadOnlyList<MetricDifferences> Differences)
{
    /// <summary>The tolerance when the config names none: the issue's 1e-4.</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>The verdict's name: <c>identical</c>, <c>within tolerance</c> or <c>diverged at step N</c>.</summary>
    public string Name => Kind switch
    {
        VerdictKind.Identical => "identical",
        VerdictKind.WithinTolerance => "within tolerance",
        _ => $"diverged at step {FirstDivergence!.Step}",
    };

    /// <summary>
    /// One line for people: the name with what decided it, e.g. <c>within tolerance (max relative difference 3.2E-06 ≤ 0.0001)</c>
    /// or <c>diverged at step 4: train/loss 0.6931 (parent) vs 0.7012 (reproduction)</c>.
    /// </summary>
    public string Describe() => Kind switch
    {
        VerdictKind.Identical => Name,
        VerdictKind.WithinTolerance => $"{Name} (max relative difference {Number(MaxRelativeDifference)} ≤ {Number(Tolerance)})",
        _ => $"{Name}: {FirstDivergence!.Metric} {Number(FirstDivergence.ParentValue)} (parent) vs {Number(FirstDivergence.ChildValue)} (reproduction)",
    };

    /// <summary>Whether a key is compared: losses and evaluation metrics.</summary>
    public static bool IsCompared(string key) => IsLoss(key) || key.StartsWith("eval/", StringComparison.Ordinal);

    /// <summary>Whether a key is a loss (the tolerance applies to losses).</summary>
    public static bool IsLoss(string key) => key.Contains("loss", StringComparison.Ordinal);

    /// <summary>
    /// <c>|a − b| / max(|a|, |b|)</c>: 0 for equal values (two NaNs, the same infinity), infinity when only one is NaN
    /// or the values are infinities of different signs.
    /// </summary>
    public static double RelativeDifference(double a, double b)
    {
        if (a.Equals(b)) return 0; // Equals, unlike ==, holds for two NaNs.
        if (double.IsNaN(a) || double.IsNaN(b) || double.IsInfinity(a) || double.IsInfinity(b)) return double.PositiveInfinity;
        return Math.Abs(a - b) / Math.Max(Math.Abs(a), Math.Abs(b));
    }

    /// <summary>Judges <paramref name="child"/> against <paramref name="parent"/>.</summary>
    /// <param name="parent">The parent's logged metrics (any keys; only compared ones count).</param>
    /// <param name="child">The reproduction's.</param>
    /// <param name="tolerance">The relative tolerance of losses (the reproduction's <c>reproduction.tolerance</c>).</param>
    /// <param name="parentComplete">
    /// Whether the parent ran to its end. A parent that failed or was cancelled is compared on its own steps only, as
    /// the reproduction runs on past where the parent stopped.
    /// </param>
    public static ReproductionVerdict Judge(IEnumerable<MetricValue> parent, IEnumerable<MetricValue> child, double tolerance, bool parentComplete = true)
    {
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance is 0 or more.");
        var parentValues = Index(parent);
        var childValues = Index(child);
        var keys = parentValues.Keys.Concat(parentComplete ? childValues.Keys : []).Distinct().Order(StringComparer.Ordinal);

        var identical = true;
        var max = 0.0;
        Divergence? first = null;
        var differences = new List<MetricDifferences>();
        foreach (var key in keys)
        {
            var mine = parentValues.GetValueOrDefault(key) ?? [];
            var theirs = childValues.GetValueOrDefault(key) ?? [];
            var steps = mine.Keys.Concat(parentComplete ? theirs.Keys : []).Distinct().Order().ToList();
            var series = new List<double>(steps.Count);
            foreach (var step in steps)
            {
                double? a = mine.TryGetValue(step, out var p) ? p : null;
                double? b = theirs.TryGetValue(step, out var c) ? c : null;
                var difference = a is { } x && b is { } y ? RelativeDifference(x, y) : double.PositiveInfinity;
                series.Add(difference);
                var bitwise = a is { } u && b is { } v && (BitConverter.DoubleToInt64Bits(u) == BitConverter.DoubleToInt64Bits(v) || double.IsNaN(u) && double.IsNaN(v));
                if (!bitwise) identical = false;
                // A missing value diverges whatever the metric; a differing value only counts against the tolerance for losses.
                var missing = a is null || b is null;
                if (IsLoss(key)) max = Math.Max(max, difference);
                if ((missing || IsLoss(key) && difference > tolerance) && (first is null || step < first.Step))
                    first = new Divergence(step, key, a, b, difference);
            }
            differences.Add(new MetricDifferences(key, steps, series));
        }

        var kind = identical ? VerdictKind.Identical : first is null ? VerdictKind.WithinTolerance : VerdictKind.Diverged;
        return new ReproductionVerdict(kind, tolerance, max, kind == VerdictKind.Diverged ? first : null, differences);
    }

    private static Dictionary<string, Dictionary<long, double>> Index(IEnumerable<MetricValue> values)
    {
        var index = new Dictionary<string, Dictionary<long, double>>(StringComparer.Ordinal);
        foreach (var value in values.Where(v => IsCompared(v.Key)))
        {
            if (!index.TryGetValue(value.Key, out var steps)) index[value.Key] = steps = [];
            steps[value.Step] = value.Value;
        }
        return index;
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "none";
}
