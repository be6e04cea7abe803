using System.Globalization;

namespace EarlyBert.Web.Benchmarks;

/// <summary>Command-line options of the dashboard benchmark.</summary>
/// <param name="Points">Points per metric of each compared run.</param>
/// <param name="Runs">Runs on the Runs page.</param>
/// <param name="Loads">Timed page loads per figure (after one warm-up), reported as the median.</param>
/// <param name="Only">
/// The one scenario to run (<c>compare</c>, <c>live</c>, <c>runs</c> or <c>charts</c>), null for all but <c>charts</c>.
/// </param>
/// <param name="Profile">Whether the first timed Compare load also prints a profile of the browser's main thread.</param>
public sealed record BenchOptions(int Points = 100_000, int Runs = 10_000, int Loads = 5, string? Only = null, bool Profile = false)
{
    /// <summary>The scenarios, in the order they run.</summary>
    public static readonly string[] Scenarios = ["compare", "live", "runs", "charts"];

    /// <summary>
    /// Whether <paramref name="scenario"/> runs; <c>charts</c> (the measurement behind the chart library, without the
    /// platform) only when asked for.
    /// </summary>
    public bool Includes(string scenario) => Only == scenario || (Only is null && scenario != "charts");

    /// <summary>Compared runs (the most Compare takes).</summary>
    public const int CompareRuns = 20;

    /// <summary>Metrics per compared run.</summary>
    public static readonly string[] Metrics = ["train/loss", "eval/accuracy", "train/learning_rate"];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--profile")
            {
                options = options with { Profile = true };
                continue;
            }

            var text = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            if (args[i] == "--only")
            {
                options = Scenarios.Contains(text) ? options with { Only = text } : throw new ArgumentException($"--only takes {string.Join(", ", Scenarios)}");
                i++;
                continue;
            }

            var value = int.Parse(text, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--points" => options with { Points = value },
                "--runs" => options with { Runs = value },
                "--loads" => options with { Loads = value },
                _ => throw new ArgumentException($"unknown option {args[i]}; usage: [--points N] [--runs N] [--loads N] [--only compare|live|runs|charts] [--profile]"),
            };
            i++;
        }

        return options;
    }
}
