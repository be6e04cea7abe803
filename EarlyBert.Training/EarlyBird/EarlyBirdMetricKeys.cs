namespace EarlyBert.Training.EarlyBird;

/// <summary>Metric keys of the EarlyBERT ticket search (documented in EarlyBert.Trainer/README.md).</summary>
public static class EarlyBirdMetricKeys
{
    /// <summary>Largest normalised Hamming distance of the new head mask to the previous window − 1 masks.</summary>
    public const string MaskDistanceHeads = "earlybert/mask_distance_heads";
    /// <summary>The same for the FFN-neuron mask.</summary>
    public const string MaskDistanceFfn = "earlybert/mask_distance_ffn";
    /// <summary>The L1 penalty λ_heads·Σ|c_heads| + λ_ffn·Σ|c_ffn| at the step.</summary>
    public const string L1 = "earlybert/l1";

    /// <summary>Fraction of layer <paramref name="layer"/>'s heads the current mask keeps.</summary>
    public static string KeptHeads(int layer) => $"earlybert/kept_heads/layer_{layer}";

    /// <summary>Fraction of layer <paramref name="layer"/>'s FFN neurons the current mask keeps.</summary>
    public static string KeptFfn(int layer) => $"earlybert/kept_ffn/layer_{layer}";
}
