using EarlyBert.Training.Modeling;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Training.Precision;

/// <summary>
/// Applies a <see cref="PrecisionMode"/> to a model and says what it does. TorchSharp has no autocast, so bf16 mixed
/// precision is explicit: every <see cref="BertLinear"/> runs its product in bfloat16 (and so attention, which works
/// on their outputs, and GELU); embeddings, LayerNorm (the fp32 residual promotes the sum back), the loss and the
/// optimizer stay in float32, and the parameters the optimizer updates remain float32 master weights.
/// </summary>
public static class PrecisionPolicy
{
    /// <summary>Parses <c>fp32</c>/<c>float32</c>, <c>tf32</c>, <c>bf16</c>/<c>bf16-mixed</c>.</summary>
    public static PrecisionMode Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => PrecisionMode.Float32,
        "tf32" => PrecisionMode.TF32,
        "bf16" or "bf16-mixed" or "bfloat16" => PrecisionMode.BFloat16Mixed,
        _ => throw new ArgumentException($"Unknown precision '{name}': use fp32, tf32 or bf16.", nameof(name)),
    };

    /// <summary>
    /// Sets up <paramref name="model"/> for <paramref name="mode"/> on <paramref name="device"/> and returns the
    /// line that reports the precision in effect. TF32 on the CPU has no meaning and falls back to float32; bf16 on
    /// a CPU without native bf16 arithmetic is allowed but slow, and is warned about.
    /// </summary>
    public static string Apply(nn.Module model, PrecisionMode mode, Device device, ILogger logger)
    {
        var cuda = device.type == DeviceType.CUDA;
        if (cuda)
        {
            backends.cuda.matmul.allow_tf32 = mode == PrecisionMode.TF32;
            backends.cudnn.allow_tf32 = mode == PrecisionMode.TF32;
        }
        ScalarType? compute = mode == PrecisionMode.BFloat16Mixed ? ScalarType.BFloat16 : null;
        foreach (var linear in model.modules().OfType<BertLinear>())
            linear.ComputeType = compute;

        string report;
        switch (mode)
        {
            case PrecisionMode.TF32 when !cuda:
                logger.LogWarning("TF32 only exists on CUDA tensor cores; running float32 on the CPU");
                report = "float32 (TF32 asked for, not available on CPU)";
                break;
            case PrecisionMode.TF32:
                report = "tf32 (float32 tensors, TF32 matrix products)";
                break;
            case PrecisionMode.BFloat16Mixed:
                if (!cuda)
                    logger.LogWarning("bfloat16 on this CPU is emulated (no AVX-512 BF16) and runs 10-15x slower than float32");
                report = "bf16 mixed (bf16: linear layers, attention, GELU; fp32: embeddings, LayerNorm, residuals, loss, optimizer, master weights)";
                break;
            default:
                report = "float32";
                break;
        }
        logger.LogInformation("Precision in effect: {Precision}", report);
        return report;
    }
}
