using System.Text.Json;
using EarlyBert.Web.Components.Shared;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>A titled group of metadata entries, keys in order.</summary>
/// <param name="Title">Group title.</param>
/// <param name="Entries">Key and readable value of each entry.</param>
public sealed record MetadataGroup(string Title, IReadOnlyList<KeyValuePair<string, string>> Entries);

/// <summary>
/// Sorts a run's metadata (the keys the trainer documents) into the groups the Run page shows: what the run was
/// built with, where it ran, and on what data and model. Keys in no group land in "Other", so nothing is hidden.
/// </summary>
public static class MetadataGroups
{
    /// <summary>Title of the framework and reference versions group.</summary>
    public const string Versions = "Versions";

    /// <summary>Title of the device, precision and runtime switches group.</summary>
    public const string Environment = "Environment";

    /// <summary>Title of the data, tokenizer and base model group.</summary>
    public const string DataAndModel = "Data & model";

    /// <summary>Title of everything else.</summary>
    public const string Other = "Other";

    private static readonly HashSet<string> EnvironmentKeys =
        ["device", "device_name", "threads", "math_kernels", "deterministic", "precision", "precision.in_effect"];

    /// <summary>The non-empty groups of <paramref name="metadata"/>, in the order Versions, Environment, Data &amp; model, Other.</summary>
    public static IReadOnlyList<MetadataGroup> Of(IReadOnlyDictionary<string, JsonElement> metadata) =>
        metadata
            .GroupBy(entry => GroupOf(entry.Key))
            .OrderBy(group => Array.IndexOf([Versions, Environment, DataAndModel, Other], group.Key))
            .Select(group => new MetadataGroup(group.Key, group
                .OrderBy(entry => entry.Key, StringComparer.Ordinal)
                .Select(entry => KeyValuePair.Create(entry.Key, JsonText.Of(entry.Value)))
                .ToList()))
            .ToList();

    /// <summary>The group <paramref name="key"/> belongs to.</summary>
    public static string GroupOf(string key) => key switch
    {
        _ when key.StartsWith("versions.", StringComparison.Ordinal) || key.StartsWith("reference.", StringComparison.Ordinal) => Versions,
        _ when EnvironmentKeys.Contains(key) || key.StartsWith("runtime.", StringComparison.Ordinal) => Environment,
        _ when key.StartsWith("data.", StringComparison.Ordinal) || key.StartsWith("tokenizer.", StringComparison.Ordinal)
            || key.StartsWith("model.", StringComparison.Ordinal) => DataAndModel,
        _ => Other,
    };
}
