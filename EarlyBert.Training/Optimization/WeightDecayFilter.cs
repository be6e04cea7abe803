using System.Text.RegularExpressions;

namespace EarlyBert.Training.Optimization;

/// <summary>
/// Which parameters get weight decay, decided as transformers' Keras <c>AdamWeightDecay._do_use_weight_decay</c>
/// decides: no decay when the rate is 0; a name matching any <c>include_in_weight_decay</c> pattern is decayed; one
/// matching any <c>exclude_from_weight_decay</c> pattern is not; everything else is. Patterns are regular expressions
/// searched anywhere in the parameter name (Python's <c>re.search</c>). EarlyBERT's slimming coefficients
/// (<c>….slimming</c>) are never decayed, whatever the patterns: the paper regularises them with its L1 penalty alone,
/// and decay would pull every coefficient towards zero alike, blurring the ranking the ticket is drawn from.
/// </summary>
public sealed class WeightDecayFilter
{
    /// <summary>Patterns <c>create_optimizer</c> passes: LayerNorm weights and every bias are not decayed.</summary>
    public static readonly IReadOnlyList<string> DefaultExclusions = ["LayerNorm", "layer_norm", "bias"];

    private readonly Regex[] include;
    private readonly Regex[] exclude;
    private readonly double rate;

    /// <summary>Creates the filter for a decay <paramref name="rate"/> and the two pattern lists.</summary>
    public WeightDecayFilter(double rate, IEnumerable<string>? excludeFromWeightDecay, IEnumerable<string>? includeInWeightDecay = null)
    {
        this.rate = rate;
        exclude = (excludeFromWeightDecay ?? []).Select(p => new Regex(p, RegexOptions.CultureInvariant)).ToArray();
        include = (includeInWeightDecay ?? []).Select(p => new Regex(p, RegexOptions.CultureInvariant)).ToArray();
    }

    /// <summary>Whether the parameter named <paramref name="name"/> is decayed.</summary>
    public bool Decays(string name)
    {
        if (rate == 0 || IsSlimmingCoefficient(name)) return false;
        if (include.Any(r => r.IsMatch(name))) return true;
        return !exclude.Any(r => r.IsMatch(name));
    }

    /// <summary>Whether <paramref name="name"/> is an EarlyBERT slimming coefficient (a head's or an FFN neuron's).</summary>
    public static bool IsSlimmingCoefficient(string name) =>
        name == "slimming" || name.EndsWith(".slimming", StringComparison.Ordinal);
}
