namespace EarlyBert.Training.EarlyBird;

/// <summary>
/// Which attention heads and feed-forward neurons a ticket keeps, per layer (<c>true</c> = kept), indexed as the
/// model it was computed on numbers them.
/// </summary>
/// <param name="Heads">[layer][head].</param>
/// <param name="Neurons">[layer][neuron].</param>
public sealed record TicketMask(bool[][] Heads, bool[][] Neurons)
{
    /// <summary>
    /// The mask EarlyBERT draws from slimming coefficients: in every layer the round(heads × <paramref name="headRatio"/>)
    /// heads of smallest |c| are pruned (never all of a layer's heads), and across all layers together the
    /// round(neurons × <paramref name="neuronRatio"/>) neurons of smallest |c|. Ties go by position (the earlier
    /// structure is pruned first), so equal coefficients, as at the start, give one definite mask.
    /// </summary>
    public static TicketMask FromCoefficients(float[][] heads, float[][] neurons, double headRatio, double neuronRatio)
    {
        if (headRatio is < 0 or >= 1 || neuronRatio is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(headRatio), "Pruning ratios are fractions in [0, 1).");
        var headMask = heads.Select(layer =>
        {
            var pruned = Math.Min(PrunedCount(layer.Length, headRatio), layer.Length - 1);
            return KeepAllBut(layer.Length, Smallest(layer.Select((c, i) => (c, i)), pruned));
        }).ToArray();

        // Global ranking: neurons are numbered layer after layer, so a tie prunes the earlier layer's neuron first.
        var offsets = neurons.Select((_, l) => neurons.Take(l).Sum(x => x.Length)).ToArray();
        var total = neurons.Sum(l => l.Length);
        var all = neurons.SelectMany((layer, l) => layer.Select((c, i) => (c, offsets[l] + i)));
        var prunedNeurons = Smallest(all, PrunedCount(total, neuronRatio)).ToHashSet();
        var neuronMask = neurons.Select((layer, l) => Enumerable.Range(0, layer.Length).Select(i => !prunedNeurons.Contains(offsets[l] + i)).ToArray()).ToArray();
        return new TicketMask(headMask, neuronMask);
    }

    /// <summary>Heads kept over all layers.</summary>
    public int KeptHeads => Heads.Sum(l => l.Count(k => k));

    /// <summary>Neurons kept over all layers.</summary>
    public int KeptNeurons => Neurons.Sum(l => l.Count(k => k));

    /// <summary>Fraction of heads kept in each layer.</summary>
    public IReadOnlyList<double> KeptHeadFractionByLayer => Heads.Select(l => (double)l.Count(k => k) / l.Length).ToList();

    /// <summary>Fraction of neurons kept in each layer.</summary>
    public IReadOnlyList<double> KeptNeuronFractionByLayer => Neurons.Select(l => l.Length == 0 ? 1.0 : (double)l.Count(k => k) / l.Length).ToList();

    /// <summary>Normalised Hamming distance between the head masks: the fraction of heads kept in one and not the other.</summary>
    public double HeadDistance(TicketMask other) => Hamming(Heads, other.Heads);

    /// <summary>Normalised Hamming distance between the neuron masks.</summary>
    public double NeuronDistance(TicketMask other) => Hamming(Neurons, other.Neurons);

    /// <summary>The number of structures pruned out of <paramref name="total"/> at <paramref name="ratio"/>.</summary>
    public static int PrunedCount(int total, double ratio) => (int)Math.Round(total * ratio, MidpointRounding.AwayFromZero);

    private static IEnumerable<int> Smallest(IEnumerable<(float Coefficient, int Index)> items, int count) =>
        items.OrderBy(p => Math.Abs(p.Coefficient)).ThenBy(p => p.Index).Take(count).Select(p => p.Index);

    private static bool[] KeepAllBut(int length, IEnumerable<int> pruned)
    {
        var keep = Enumerable.Repeat(true, length).ToArray();
        foreach (var i in pruned) keep[i] = false;
        return keep;
    }

    private static double Hamming(bool[][] a, bool[][] b)
    {
        if (a.Length != b.Length || a.Zip(b).Any(p => p.First.Length != p.Second.Length))
            throw new ArgumentException("Masks of differently shaped models cannot be compared.");
        var total = a.Sum(l => l.Length);
        if (total == 0) return 0;
        var differing = a.Zip(b).Sum(p => p.First.Zip(p.Second).Count(q => q.First != q.Second));
        return (double)differing / total;
    }
}
