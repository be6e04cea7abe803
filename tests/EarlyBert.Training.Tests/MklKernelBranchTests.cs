using System.Runtime.Intrinsics.X86;
using EarlyBert.Training.Runtime;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

public sealed class MklKernelBranchTests
{
    // libtorch 2.10's mkl_serv_cpu_detect: cmpl $0,0x9988e8d(%rip); js +7; mov 0x9988e85(%rip),%eax; ret
    private static readonly byte[] DetectOpening =
        [0x83, 0x3D, 0x8D, 0x8E, 0x98, 0x09, 0x00, 0x78, 0x07, 0x8B, 0x05, 0x85, 0x8E, 0x98, 0x09, 0xC3];

    [Fact]
    public void The_cached_branch_is_found_where_the_compare_and_the_load_both_point()
    {
        Assert.Equal(7L + 0x9988e8d, MklKernelBranch.CachedBranchOffset(DetectOpening));
    }

    [Fact]
    public void Code_that_is_not_the_expected_sequence_is_left_alone()
    {
        var otherTarget = (byte[])DetectOpening.Clone();
        otherTarget[11] = 0x89; // the load reads another variable than the compare
        var otherCode = (byte[])DetectOpening.Clone();
        otherCode[15] = 0x90;
        Assert.Null(MklKernelBranch.CachedBranchOffset(otherTarget));
        Assert.Null(MklKernelBranch.CachedBranchOffset(otherCode));
        Assert.Null(MklKernelBranch.CachedBranchOffset(DetectOpening.AsSpan(0, 12)));
    }

    [Fact]
    public void Libtorch_reports_which_MKL_kernels_it_runs_and_uses_avx2_wherever_the_cpu_has_it()
    {
        TestTorch.Setup();
        Assert.Contains("MKL ", TorchRuntime.Description);
        if (Avx2.IsSupported && Fma.IsSupported && Environment.GetEnvironmentVariable(MklKernelBranch.SwitchVariable) != "0")
        {
            Assert.DoesNotContain("MKL generic", TorchRuntime.Description);
            Assert.DoesNotContain("MKL sse4.2", TorchRuntime.Description);
        }
    }

    [Fact]
    public void Matrix_products_on_the_chosen_kernels_agree_with_float64()
    {
        TestTorch.Setup();
        manual_seed(3);
        using var a = randn(257, 384);
        using var b = randn(384, 1536);
        using var single = matmul(a, b);
        using var reference = matmul(a.to(ScalarType.Float64), b.to(ScalarType.Float64));
        var error = (single.to(ScalarType.Float64) - reference).abs().max().item<double>();
        Assert.True(error < 1e-3, $"max |float32 - float64| = {error}");
    }
}
