namespace EarlyBert.Training.Precision;

/// <summary>Numeric precision of training and inference.</summary>
public enum PrecisionMode
{
    /// <summary>Everything in float32 (the default, and what the golden references use).</summary>
    Float32,
    /// <summary>float32 tensors, matrix products on TensorFloat-32 tensor cores (CUDA only).</summary>
    TF32,
    /// <summary>bfloat16 matrix products and attention over float32 master weights.</summary>
    BFloat16Mixed,
}
