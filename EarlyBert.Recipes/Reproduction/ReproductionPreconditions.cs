namespace EarlyBert.Recipes.Reproduction;

/// <summary>A metadata value that differs between a run and its reproduction.</summary>
/// <param name="Key">Metadata key, e.g. <c>data.sha256</c> or <c>versions.torchsharp</c>.</param>
/// <param name="Parent">The parent's value; null when it has none.</param>
/// <param name="Child">The reproduction's value; null when it has none.</param>
public sealed record MetadataDifference(string Key, string? Parent, string? Child);

/// <summary>
/// What must be equal for a reproduction to be tried (the data, vocabulary and base model, by hash) and what may
/// differ but is reported (framework versions, device, driver, math kernels), from both runs' metadata.
/// </summary>
public static class ReproductionPreconditions
{
    /// <summary>The hashes a reproduction must share with its parent (the trainer's metadata keys).</summary>
    public static IReadOnlyList<string> HashKeys { get; } = ["data.sha256", "tokenizer.vocab_sha256", "model.base_sha256"];

    // Where a run was computed: allowed to differ, reported as "reproduced under different versions".
    private static readonly string[] EnvironmentKeys = ["device", "device_name", "math_kernels", "precision.in_effect", "runtime.libtorch"];

    /// <summary>
    /// The hashes the parent recorded that the reproduction does not share (a hash the parent lacks, as in a run
    /// recorded before hashes were, is not checked).
    /// </summary>
    public static IReadOnlyList<MetadataDifference> HashMismatches(IReadOnlyDictionary<string, string> parent, IReadOnlyDictionary<string, string> child) =>
        HashKeys.Where(parent.ContainsKey)
            .Select(key => new MetadataDifference(key, parent[key], child.GetValueOrDefault(key)))
            .Where(d => !string.Equals(d.Parent, d.Child, StringComparison.Ordinal))
            .ToList();

    /// <summary>
    /// The failure message of a refused reproduction, naming each differing hash and both values, e.g.
    /// <c>not reproducible: data.sha256 differs (parent 3f…, reproduction 9a…)</c>.
    /// </summary>
    public static string DescribeMismatches(IReadOnlyList<MetadataDifference> mismatches) =>
        "not reproducible: " + string.Join("; ", mismatches.Select(m => $"{m.Key} differs (parent {m.Parent ?? "none"}, reproduction {m.Child ?? "none"})"));

    /// <summary>Differences in versions (<c>versions.*</c>), device, driver and math kernels, sorted by key.</summary>
    public static IReadOnlyList<MetadataDifference> EnvironmentDifferences(IReadOnlyDictionary<string, string> parent, IReadOnlyDictionary<string, string> child) =>
        parent.Keys.Concat(child.Keys).Distinct(StringComparer.Ordinal)
            .Where(key => key.StartsWith("versions.", StringComparison.Ordinal) || EnvironmentKeys.Contains(key, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(key => new MetadataDifference(key, parent.GetValueOrDefault(key), child.GetValueOrDefault(key)))
            .Where(d => !string.Equals(d.Parent, d.Child, StringComparison.Ordinal))
            .ToList();

    /// <summary>
    /// <c>reproduced under different versions: versions.torchsharp 0.105.0 → 0.105.1, device cpu → cuda:0</c>; null when
    /// nothing differs.
    /// </summary>
    public static string? DescribeEnvironment(IReadOnlyList<MetadataDifference> differences) =>
        differences.Count == 0 ? null
            : "reproduced under different versions: " + string.Join(", ", differences.Select(d => $"{d.Key} {d.Parent ?? "none"} → {d.Child ?? "none"}"));
}
