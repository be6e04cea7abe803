namespace EarlyBert.Training.Tokenization;

/// <summary>Hugging Face tokenizers' <c>longest_first</c> truncation (tokenizers <c>utils/truncation.rs</c>).</summary>
public static class Truncation
{
    /// <summary>
    /// Shortens <paramref name="first"/> and <paramref name="second"/> (which may be null) in place so that together
    /// they hold at most <paramref name="budget"/> tokens, keeping the beginning of each. For a pair the shorter
    /// sequence is kept whole when the longer one can absorb the cut; otherwise both get half the budget (the
    /// longer one the odd token), as the Rust implementation does.
    /// </summary>
    public static void LongestFirst(List<int> first, List<int>? second, int budget)
    {
        if (budget < 0) throw new ArgumentOutOfRangeException(nameof(budget), "max_length is shorter than the special tokens.");
        if (second is null)
        {
            if (first.Count > budget) first.RemoveRange(budget, first.Count - budget);
            return;
        }
        if (first.Count + second.Count <= budget) return;

        var swap = first.Count > second.Count;
        var (shorter, longer) = swap ? (second.Count, first.Count) : (first.Count, second.Count);
        longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
        if (shorter + longer > budget)
        {
            shorter = budget / 2;
            longer = shorter + budget % 2;
        }
        var (keepFirst, keepSecond) = swap ? (longer, shorter) : (shorter, longer);
        if (first.Count > keepFirst) first.RemoveRange(keepFirst, first.Count - keepFirst);
        if (second.Count > keepSecond) second.RemoveRange(keepSecond, second.Count - keepSecond);
    }
}
