using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using EarlyBert.Training.Runtime;
using static TorchSharp.torch;

namespace EarlyBert.Training.Training;

/// <summary>
/// The metadata a run records when it starts: versions, device, precision, kernels, seeds and hashes (keys are
/// documented in the trainer's README; the dashboard's comparability check reads them).
/// </summary>
public static class RunEnvironment
{
    /// <summary>Version of this library, with the git commit when the build knew it (<c>1.0.0+abc123</c>).</summary>
    public static string EarlyBertVersion { get; } =
        typeof(RunEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Versions of the frameworks in this process.</summary>
    public static Dictionary<string, string> Versions()
    {
        var versions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["versions.earlybert"] = EarlyBertVersion,
            ["versions.dotnet"] = RuntimeInformation.FrameworkDescription,
            ["versions.torchsharp"] = Informational(typeof(TorchSharp.torch).Assembly),
            ["versions.libtorch"] = __version__,
            ["versions.tokenizers"] = Informational(typeof(Microsoft.ML.Tokenizers.Tokenizer).Assembly),
        };
        var plus = EarlyBertVersion.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0) versions["versions.earlybert_commit"] = EarlyBertVersion[(plus + 1)..];
        return versions;
    }

    /// <summary>Everything about the process a run records, for <paramref name="device"/>.</summary>
    /// <param name="device">The device in use.</param>
    /// <param name="threads">Intra-op CPU threads.</param>
    /// <param name="precision">The precision asked for (<c>float32</c>, <c>tf32</c>, <c>bf16-mixed</c>).</param>
    /// <param name="precisionReport">What runs in which precision, as <see cref="Precision.PrecisionPolicy"/> reports it.</param>
    public static Dictionary<string, JsonNode?> Describe(Device device, int threads, string precision, string precisionReport)
    {
        var cuda = device.type == TorchSharp.DeviceType.CUDA;
        var options = RuntimeOptions.Current;
        var metadata = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (key, value) in Versions()) metadata[key] = value;
        metadata["device"] = cuda ? $"cuda:{Math.Max(device.index, 0)}" : "cpu";
        metadata["device_name"] = cuda ? GpuQuery("name") ?? "CUDA device" : CpuModel();
        metadata["threads"] = threads;
        metadata["math_kernels"] = cuda ? "cuBLAS" : TorchRuntime.MathKernels ?? "libtorch default";
        metadata["deterministic"] = !cuda;
        metadata["precision"] = precision;
        metadata["precision.in_effect"] = precisionReport;
        metadata["runtime.mkl_avx2"] = options.MklAvx2;
        metadata["runtime.fused_adam"] = options.FusedAdam;
        metadata["runtime.philox_dropout"] = options.PhiloxDropout;
        metadata["runtime.libtorch"] = TorchRuntime.Description;
        metadata["runtime.malloc"] = AllocatorSettings.Description ?? "default";
        if (cuda)
        {
            metadata["versions.cuda"] = NativeVersion(["libcuda.so.1", "libcuda.so"], "cuDriverGetVersion", v => $"{v / 1000}.{v % 1000 / 10}") ?? "unknown";
            metadata["versions.cudnn"] = NativeVersion(["libcudnn.so.9", "libcudnn.so.8", "libcudnn.so"], "cudnnGetVersion", CudnnVersion) ?? "unknown";
            metadata["versions.gpu_driver"] = GpuQuery("driver_version") ?? "unknown";
        }
        metadata["host"] = Environment.MachineName;
        metadata["os"] = RuntimeInformation.OSDescription;
        return metadata;
    }

    private static string Informational(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } version
            ? version.Split('+')[0]
            : assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// A version a CUDA library reports about itself (the libraries libtorch loaded, found by their sonames), or null
    /// where none answers.
    /// </summary>
    private static unsafe string? NativeVersion(string[] libraries, string export, Func<long, string> format)
    {
        foreach (var name in libraries)
        {
            if (!NativeLibrary.TryLoad(name, out var library)) continue;
            if (!NativeLibrary.TryGetExport(library, export, out var function)) continue;
            if (export == "cuDriverGetVersion")
            {
                int version;
                return ((delegate* unmanaged<int*, int>)function)(&version) == 0 ? format(version) : null;
            }
            return format((long)((delegate* unmanaged<nuint>)function)());
        }
        return null;
    }

    // cuDNN 9 encodes major*10000 + minor*100 + patch; cuDNN 8 major*1000 + minor*100 + patch.
    private static string CudnnVersion(long v) => v >= 90000
        ? $"{v / 10000}.{v % 10000 / 100}.{v % 100}"
        : $"{v / 1000}.{v % 1000 / 100}.{v % 100}";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static string? GpuQuery(string field)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("nvidia-smi", $"--query-gpu={field} --format=csv,noheader")
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd().Trim().Split('\n')[0].Trim();
            process.WaitForExit(5000);
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
