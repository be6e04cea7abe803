using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Recipes.Reproduction;
using EarlyBert.Training.Training;

namespace EarlyBert.Trainer.Reproduction;

/// <summary>
/// The recorder of a reproduction: passes everything on, and when the job records its metadata (after it has
/// loaded and hashed the data, vocabulary and base model, before the first step) refuses to go on if a hash differs
/// from the parent's. The metadata is recorded first, so the run shows both hashes.
/// </summary>
internal sealed class ReproductionGuard(IRunRecorder inner, IReadOnlyDictionary<string, string> parentMetadata) : IRunRecorder
{
    /// <inheritdoc />
    public bool StopRequested => inner.StopRequested;

    /// <inheritdoc />
    public void LogParams(IReadOnlyDictionary<string, string> values) => inner.LogParams(values);

    /// <inheritdoc />
    public void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values)
    {
        inner.LogMetadata(values);
        var mismatches = ReproductionPreconditions.HashMismatches(parentMetadata, Strings(values));
        if (mismatches.Count > 0) throw new ReproductionRefusedException(ReproductionPreconditions.DescribeMismatches(mismatches));
    }

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyList<MetricSample> samples) => inner.LogMetrics(samples);

    /// <inheritdoc />
    public void LogArtifact(string path, string file, string contentType) => inner.LogArtifact(path, file, contentType);

    /// <summary>Metadata as text: strings as they are, other JSON values as their JSON (the tracker's rule too).</summary>
    public static Dictionary<string, string> Strings(IReadOnlyDictionary<string, JsonNode?> metadata) =>
        metadata.ToDictionary(m => m.Key, m => m.Value is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>() : m.Value?.ToJsonString() ?? "null", StringComparer.Ordinal);

    /// <summary>The same for metadata read from the tracker.</summary>
    public static Dictionary<string, string> Strings(IReadOnlyDictionary<string, JsonElement> metadata) =>
        metadata.ToDictionary(m => m.Key, m => m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText(), StringComparer.Ordinal);
}

/// <summary>A reproduction whose data, vocabulary or base model differs from its parent's; the message names each hash.</summary>
internal sealed class ReproductionRefusedException(string message) : Exception(message);
