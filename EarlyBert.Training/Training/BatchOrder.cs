namespace EarlyBert.Training.Training;

/// <summary>
/// The order examples are visited in each epoch: a Fisher–Yates shuffle driven by SplitMix64 seeded from the run's
/// seed and the epoch number (a documented generator, so the order is the same on any machine and after a resume,
/// which only needs the epoch and the position in it), or the file order when shuffling is off.
/// </summary>
public static class BatchOrder
{
    /// <summary>The example indices of <paramref name="epoch"/> (0-based) in visiting order.</summary>
    public static int[] ForEpoch(int count, long seed, int epoch, bool shuffle)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (!shuffle) return order;
        var state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Optimizer updates in one epoch: the last, smaller batch is kept.</summary>
    public static long StepsPerEpoch(int count, int batchSize) => (count + batchSize - 1) / batchSize;

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
