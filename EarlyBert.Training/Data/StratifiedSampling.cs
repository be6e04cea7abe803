namespace EarlyBert.Training.Data;

/// <summary>
/// Deterministic, label-stratified splits and subsets. Labels are visited in ordinal order and each label's
/// examples shuffled with one <see cref="SplitMix64"/> stream, so the result depends only on the examples, their
/// order and the seed. Chosen examples keep their original order.
/// </summary>
internal static class StratifiedSampling
{
    // Distinct streams for the split and the two subsets, so capping the training set does not move the split.
    public const ulong SplitStream = 0, TrainSubsetStream = 1, ValidationSubsetStream = 2;

    /// <summary>Holds out round(n × <paramref name="fraction"/>) examples of each label, leaving at least one in training.</summary>
    public static (List<RawExample> Train, List<RawExample> Validation) Split(IReadOnlyList<RawExample> examples, double fraction, long seed)
    {
        var held = new bool[examples.Count];
        var rng = new SplitMix64(StreamSeed(seed, SplitStream));
        foreach (var indices in ByLabel(examples).Values)
        {
            var count = Math.Min((int)Math.Round(indices.Count * fraction, MidpointRounding.AwayFromZero), indices.Count - 1);
            rng.Shuffle(indices);
            for (var i = 0; i < count; i++) held[indices[i]] = true;
        }
        var train = new List<RawExample>(examples.Count);
        var validation = new List<RawExample>();
        for (var i = 0; i < examples.Count; i++) (held[i] ? validation : train).Add(examples[i]);
        return (train, validation);
    }

    /// <summary>
    /// Keeps <paramref name="max"/> examples with each label's share as in the input (largest remainders round,
    /// and every label keeps at least one example while <paramref name="max"/> allows).
    /// </summary>
    public static List<RawExample> Subset(IReadOnlyList<RawExample> examples, int max, long seed, ulong stream)
    {
        if (max >= examples.Count) return [.. examples];
        var groups = ByLabel(examples).Values.ToList();
        var quotas = Quotas(groups.Select(g => g.Count).ToArray(), max);
        var keep = new bool[examples.Count];
        var rng = new SplitMix64(StreamSeed(seed, stream));
        for (var g = 0; g < groups.Count; g++)
        {
            rng.Shuffle(groups[g]);
            for (var i = 0; i < quotas[g]; i++) keep[groups[g][i]] = true;
        }
        var kept = new List<RawExample>(max);
        for (var i = 0; i < examples.Count; i++) if (keep[i]) kept.Add(examples[i]);
        return kept;
    }

    internal static int[] Quotas(int[] counts, int max)
    {
        long total = counts.Sum(c => (long)c);
        var quotas = counts.Select(c => (int)(c * (long)max / total)).ToArray();
        // Largest remainder first; ties go to the label that sorts first.
        var order = Enumerable.Range(0, counts.Length).OrderByDescending(i => counts[i] * (long)max % total).ThenBy(i => i).ToArray();
        for (int left = max - quotas.Sum(), k = 0; left > 0; left--, k++) quotas[order[k % order.Length]]++;
        // A label squeezed out entirely borrows one example from the largest quota.
        for (var i = 0; i < quotas.Length; i++)
        {
            if (quotas[i] > 0 || counts[i] == 0) continue;
            var largest = Array.IndexOf(quotas, quotas.Max());
            if (quotas[largest] <= 1) break;
            quotas[largest]--;
            quotas[i]++;
        }
        return quotas;
    }

    private static SortedDictionary<string, List<int>> ByLabel(IReadOnlyList<RawExample> examples)
    {
        var groups = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < examples.Count; i++)
        {
            if (!groups.TryGetValue(examples[i].Label, out var list)) groups[examples[i].Label] = list = [];
            list.Add(i);
        }
        return groups;
    }

    private static ulong StreamSeed(long seed, ulong stream) => new SplitMix64(unchecked((ulong)seed) ^ (stream * 0xD1B54A32D192ED03UL)).Next();
}
