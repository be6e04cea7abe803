using static TorchSharp.torch;

namespace EarlyBert.Trainer.Worker;

/// <summary>The compute device this worker trains on, resolved once at start-up.</summary>
/// <param name="Device">The torch device.</param>
/// <param name="Description">What the worker reports: device, thread count or GPU, and where libtorch came from.</param>
internal sealed record WorkerDevice(Device Device, string Description);
