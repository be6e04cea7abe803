using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Metrics;

/// <summary>
/// The query parameters that shape downsampled series, shared by <c>/metrics/downsampled</c> and <c>/api/compare</c>:
/// <c>fromStep</c>/<c>toStep</c> (inclusive; either may be left out) and <c>include=epochs,timestamps</c>.
/// </summary>
/// <param name="Range">Only these steps; null for the whole series.</param>
/// <param name="WithTimes">Whether every point carries its epoch and timestamp.</param>
public readonly record struct SeriesOptions(StepRange? Range, bool WithTimes)
{
    /// <summary>The value of <c>include</c> that asks for epochs and timestamps.</summary>
    public static readonly IReadOnlySet<string> IncludeValues = new HashSet<string>(["epochs", "timestamps"], StringComparer.Ordinal);

    /// <summary>Reads the parameters; a 400 when they make no sense.</summary>
    public static (SeriesOptions Options, ValidationProblem? Problem) Parse(long? fromStep, long? toStep, string? include)
    {
        if (fromStep > toStep)
        {
            return (default, Problems.Invalid("fromStep", $"fromStep ({fromStep}) is after toStep ({toStep})."));
        }

        var included = (include ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (included.FirstOrDefault(v => !IncludeValues.Contains(v)) is { } unknown)
        {
            return (default, Problems.Invalid("include", $"include takes {string.Join(", ", IncludeValues)}; '{unknown}' is none of them."));
        }

        StepRange? range = fromStep is null && toStep is null ? null : new StepRange(fromStep ?? long.MinValue, toStep ?? long.MaxValue);
        // Epochs and timestamps come from the same rows, so either word asks for both.
        return (new SeriesOptions(range, included.Length > 0), null);
    }
}
