using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Training.Runtime;

/// <summary>
/// Loads libtorch once per process. With <c>EARLYBERT_LIBTORCH_DIR</c> naming a folder that holds
/// <c>libtorch_cuda.so</c> (for example a PyTorch install's <c>torch/lib</c>), that CUDA build is loaded first,
/// then TorchSharp's glue library, then CUDA is initialised: TorchSharp's documented route for a Python install of
/// PyTorch, since NuGet serves no CUDA libtorch here. Otherwise the CPU libtorch from NuGet is used.
/// </summary>
public static class TorchRuntime
{
    /// <summary>Environment variable naming a folder with a CUDA libtorch (<c>libtorch_cuda.so</c>).</summary>
    public const string LibTorchDirVariable = "EARLYBERT_LIBTORCH_DIR";

    private static readonly Lock Gate = new();
    private static string? description;

    /// <summary>Where libtorch came from, once <see cref="EnsureLoaded"/> has run.</summary>
    public static string Description => description ?? "not loaded";

    /// <summary>Which MKL kernels the matrix products run on (null where no MKL is loaded), once loaded.</summary>
    public static string? MathKernels { get; private set; }

    /// <summary>Loads libtorch (CUDA from <c>EARLYBERT_LIBTORCH_DIR</c> when set, otherwise CPU). Idempotent.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (description is not null) return;
            AllocatorSettings.Apply();
            var folder = Environment.GetEnvironmentVariable(LibTorchDirVariable);
            if (!string.IsNullOrWhiteSpace(folder))
            {
                description = LoadExternal(folder);
            }
            else
            {
                // Touching any torch API makes TorchSharp load libLibTorchSharp.so and the CPU libtorch beside it.
                _ = torch.get_num_threads();
                description = $"CPU libtorch from the application folder ({torch.__version__})";
            }
            // Before any matrix product runs: MKL keeps the kernel branch it picks at its first call.
            MathKernels = MklKernelBranch.Apply();
            if (MathKernels is { } mkl) description += $", {mkl}";
        }
    }

    private static string LoadExternal(string folder)
    {
        var cuda = Path.Combine(folder, "libtorch_cuda.so");
        if (!File.Exists(cuda))
            throw new InvalidOperationException($"{LibTorchDirVariable}={folder} has no libtorch_cuda.so: point it at a CUDA build of libtorch, e.g. a PyTorch install's torch/lib.");
        NativeLibrary.Load(cuda);
        // libtorch.so is what the glue library links by name; a Python install keeps it beside libtorch_cuda.so,
        // where the loader would not look for it (the application folder carries no libtorch then).
        var umbrella = Path.Combine(folder, "libtorch.so");
        if (File.Exists(umbrella)) NativeLibrary.Load(umbrella);
        // TorchSharp's glue library resolves libtorch's symbols from the already loaded CUDA build.
        NativeLibrary.Load(FindGlueLibrary());
        torch.InitializeDeviceType(DeviceType.CUDA);
        return $"CUDA libtorch from {folder} ({torch.__version__}, CUDA available: {torch.cuda.is_available()})";
    }

    private static string FindGlueLibrary()
    {
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("libLibTorchSharp.so is not in the application folder.", candidates[0]);
    }
}
