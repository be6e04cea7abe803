using EarlyBert.Web.Components.Pages.NewRun;

namespace EarlyBert.Web.Components.Pages.Reproduction;

/// <summary>
/// The Reproduce box's key=value lines as the tracker's <c>overrides</c>: the same lines as New run's overrides
/// (blank lines and <c>#</c> comments skipped). Only the shape is checked here; whether the config has the key is the
/// tracker's answer, from the trainer's own <c>--set</c> rule.
/// </summary>
public static class ReproductionOverrides
{
    /// <summary>The overrides in <paramref name="text"/> (a later line wins over an earlier one with the same key, as with repeated <c>--set</c>), or why a line is not key=value.</summary>
    public static (IReadOnlyDictionary<string, string>? Overrides, string? Problem) Parse(string? text)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in RunDraft.OverrideLines(text))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || line[..equals].Trim().Length == 0)
            {
                return (null, $"'{line}' is not key=value (e.g. training.threads=1).");
            }

            overrides[line[..equals].Trim()] = line[(equals + 1)..];
        }

        return (overrides, null);
    }
}
