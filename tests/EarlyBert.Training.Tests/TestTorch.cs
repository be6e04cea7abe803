using EarlyBert.Training.Runtime;

namespace EarlyBert.Training.Tests;

/// <summary>Loads libtorch once and pins the settings that make CPU results reproducible.</summary>
internal static class TestTorch
{
    public static void Setup()
    {
        TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
    }
}
