using System.Globalization;

namespace EarlyBert.Web.Benchmarks;

/// <summary>Command-line options of the dashboard benchmark.</summary>
/// <param name="Points">Points per metric of each compared run.</param>
/// <param name="Runs">Runs on the Runs page.</param>
/// <param name="Loads">Timed page loads per figure (after one warm-up), reported as the median.</param>
public sealed record BenchOptions(int Points = 100_000, int Runs = 10_000, int Loads = 5)
{
    /// <summary>Compared runs (the most Compare takes).</summary>
    public const int CompareRuns = 20;

    /// <summary>Metrics per compared run.</summary>
    public static readonly string[] Metrics = ["train/loss", "eval/accuracy", "train/learning_rate"];

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--points" => options with { Points = value },
                "--runs" => options with { Runs = value },
                "--loads" => options with { Loads = value },
                _ => throw new ArgumentException($"unknown option {args[i]}; usage: [--points N] [--runs N] [--loads N]"),
            };
            i++;
        }

        return options;
    }
}
