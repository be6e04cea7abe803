using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace EarlyBert.Training.Runtime;

/// <summary>
/// Makes the Intel MKL inside libtorch's CPU build use its AVX2 kernels on AMD processors that have AVX2 and FMA.
/// </summary>
/// <remarks>
/// libtorch multiplies float32 matrices (linear layers, attention) with the MKL it links statically. MKL picks its
/// kernel branch from the CPU vendor: on an AMD EPYC it runs its generic branch even though the AVX2 branch works
/// there, and the generic branch multiplies BERT's shapes 1.45× slower (2048×384 by 384×1536, 2 threads: 101 vs
/// 146 GFLOPS here; OpenBLAS 124). MKL keeps the detected branch in a variable that its exported
/// <c>mkl_serv_cpu_detect</c> returns when set; this writes the AVX2 branch there once, before any product runs.
/// The variable's address is read from the first instructions of that function, and only when they are exactly the
/// expected "compare, branch, load, return" sequence — any other MKL build is left alone. Set
/// <see cref="RuntimeOptions.MklAvx2"/> off (or <c>EARLYBERT_MKL_AVX2=0</c>) to keep MKL's own choice.
/// </remarks>
public static class MklKernelBranch
{
    /// <summary>Environment variable that, set to <c>0</c>, leaves MKL's branch choice alone.</summary>
    public const string SwitchVariable = "EARLYBERT_MKL_AVX2";

    // MKL's branch numbers (its table of per-branch library names: 0 "def", 3 "mc3", 5 "avx2", 7 "avx512").
    private const int Avx2Branch = 5;

    /// <summary>
    /// Sets the AVX2 branch when MKL chose a lower one on a non-Intel CPU with AVX2 and FMA. Returns a short
    /// description of what MKL runs, or <c>null</c> where no MKL is loaded.
    /// </summary>
    public static unsafe string? Apply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var library)) return null;
        if (!NativeLibrary.TryGetExport(library, "mkl_serv_cpu_detect", out var export)) return null;
        var detect = (delegate* unmanaged<int>)export;
        var detected = detect();
        var vendor = CpuVendor();
        if (detected >= Avx2Branch || vendor == "GenuineIntel" || !Avx2.IsSupported || !Fma.IsSupported)
            return $"MKL {BranchName(detected)} kernels";
        if (!RuntimeOptions.Current.MklAvx2)
            return $"MKL {BranchName(detected)} kernels on {vendor} (AVX2 override off)";
        if (CachedBranchOffset(new ReadOnlySpan<byte>((byte*)export, 16)) is not { } offset)
            return $"MKL {BranchName(detected)} kernels on {vendor} (unknown MKL build, left as is)";
        Volatile.Write(ref *(int*)((byte*)export + offset), Avx2Branch);
        var now = detect();
        return now == Avx2Branch
            ? $"MKL avx2 kernels on {vendor} (MKL chose {BranchName(detected)})"
            : $"MKL {BranchName(now)} kernels on {vendor} (setting avx2 did not hold)";
    }

    /// <summary>
    /// Where MKL's cached branch lies, as an offset from the start of <c>mkl_serv_cpu_detect</c>, read from its opening
    /// <c>cmpl $0, X(%rip); js …; mov X(%rip), %eax; ret</c>; <c>null</c> when the code is anything else.
    /// </summary>
    internal static long? CachedBranchOffset(ReadOnlySpan<byte> code)
    {
        var isExpected = code.Length >= 16
            && code[0] == 0x83 && code[1] == 0x3D && code[6] == 0x00 // cmpl $0x0, disp32(%rip)
            && code[7] == 0x78                                         // js rel8
            && code[9] == 0x8B && code[10] == 0x05                     // mov disp32(%rip), %eax
            && code[15] == 0xC3;                                       // ret
        if (!isExpected) return null;
        var compared = 7L + BinaryPrimitives.ReadInt32LittleEndian(code[2..]);
        var loaded = 15L + BinaryPrimitives.ReadInt32LittleEndian(code[11..]);
        return compared == loaded ? compared : null;
    }

    private static string BranchName(int branch) => branch switch
    {
        0 => "generic",
        3 => "sse4.2",
        5 => "avx2",
        >= 7 => "avx512",
        _ => $"branch {branch}",
    };

    private static string CpuVendor()
    {
        if (!X86Base.IsSupported) return "unknown vendor";
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name, ebx);
        BitConverter.TryWriteBytes(name[4..], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        return Encoding.ASCII.GetString(name);
    }
}
