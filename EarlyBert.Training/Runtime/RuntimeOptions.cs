namespace EarlyBert.Training.Runtime;

/// <summary>
/// The native-code switches of a training process. Which kernels ran is part of what makes two runs comparable, so
/// each switch is set from the run config (<c>runtime</c> section) and reported in the run's metadata
/// (<c>runtime.*</c>). The environment variables of earlier releases still give the defaults.
/// </summary>
public sealed record RuntimeOptions
{
    /// <summary>Set MKL's AVX2 kernels on non-Intel CPUs with AVX2 and FMA (see <see cref="MklKernelBranch"/>).</summary>
    public bool MklAvx2 { get; init; } = Environment.GetEnvironmentVariable(MklKernelBranch.SwitchVariable) != "0";

    /// <summary>Run the Adam update as one fused SIMD pass over flat float32 CPU buffers.</summary>
    public bool FusedAdam { get; init; } = Environment.GetEnvironmentVariable("EARLYBERT_FUSED_ADAM") != "0";

    /// <summary>Draw float32 CPU dropout masks with the vectorised Philox generator instead of libtorch's kernel.</summary>
    public bool PhiloxDropout { get; init; } = Environment.GetEnvironmentVariable("EARLYBERT_PHILOX_DROPOUT") != "0";

    /// <summary>
    /// The options in effect for this process. MKL's branch is chosen once, when libtorch loads, so
    /// <see cref="MklAvx2"/> only counts when set before the first torch call.
    /// </summary>
    public static RuntimeOptions Current { get; set; } = new();
}
