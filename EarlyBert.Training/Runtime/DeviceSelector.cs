using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Training.Runtime;

/// <summary>Turns a device name (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>) into a torch device.</summary>
public static class DeviceSelector
{
    /// <summary>
    /// Resolves <paramref name="name"/>: <c>auto</c> picks CUDA when it is available, otherwise the CPU;
    /// <c>cuda</c> fails clearly when no CUDA libtorch is loaded.
    /// </summary>
    public static Device Resolve(string name)
    {
        TorchRuntime.EnsureLoaded();
        var normalized = name.Trim().ToLowerInvariant();
        if (normalized == "auto")
            return cuda.is_available() ? new Device(DeviceType.CUDA, 0) : CPU;
        if (normalized == "cpu")
            return CPU;
        if (normalized == "cuda" || normalized.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException($"Device '{name}' was asked for but CUDA is not available: set {TorchRuntime.LibTorchDirVariable} to a CUDA libtorch folder (e.g. a PyTorch install's torch/lib).");
            return normalized == "cuda" ? new Device(DeviceType.CUDA, 0) : new Device(normalized);
        }
        throw new ArgumentException($"Unknown device '{name}': use auto, cpu, cuda or cuda:N.", nameof(name));
    }

    /// <summary>A line that says which device and libtorch are in use, for logs and command output.</summary>
    public static string Describe(Device device) =>
        device.type == DeviceType.CUDA
            ? $"cuda:{Math.Max(device.index, 0)} ({TorchRuntime.Description})"
            : $"cpu, {get_num_threads()} threads ({TorchRuntime.Description})";
}
