using static TorchSharp.torch;

namespace EarlyBert.Training.Runtime;

/// <summary>
/// Seed and thread count for runs that must repeat bit for bit on the CPU. The thread count is part of it: 1 and 2
/// threads split reductions differently and so differ in the last bit.
/// </summary>
public static class Reproducibility
{
    /// <summary>Seeds torch's generators and fixes the number of intra-op threads.</summary>
    public static void Apply(long seed, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchRuntime.EnsureLoaded();
        set_num_threads(threads);
        manual_seed(seed);
        if (cuda.is_available()) cuda.manual_seed_all(seed);
    }
}
