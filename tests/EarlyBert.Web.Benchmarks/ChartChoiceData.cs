using System.Globalization;

namespace EarlyBert.Web.Benchmarks;

/// <summary>
/// The chart both libraries draw in the chart choice benchmark: <see cref="SeriesCount"/> loss curves of
/// <see cref="Points"/> points each, as the Compare page overlays them, from a seeded generator (the same every run).
/// </summary>
/// <param name="Steps">The x values (training steps), shared by every series.</param>
/// <param name="Series">Each run's name and loss values, one per step.</param>
public sealed record ChartChoiceData(double[] Steps, IReadOnlyList<(string Name, double[] Values)> Series)
{
    /// <summary>Overlaid runs: the most Compare takes.</summary>
    public const int SeriesCount = 20;

    /// <summary>Points per line.</summary>
    public const int Points = 1_000;

    /// <summary>Steps between two points (a trainer logging every 100 steps).</summary>
    private const int StepStride = 100;

    /// <summary>The last step.</summary>
    public double MaxStep => Steps[^1];

    /// <summary>One colour per series (20 hues, so no two lines share one), as <c>#rrggbb</c>.</summary>
    public static IReadOnlyList<string> Palette { get; } = Enumerable.Range(0, SeriesCount).Select(i => Hex(i * 360.0 / SeriesCount)).ToArray();

    /// <summary>Noisy decaying losses, each run with its own start, floor and rate.</summary>
    public static ChartChoiceData Create(int seed = 10)
    {
        var random = new Random(seed);
        var steps = Enumerable.Range(0, Points).Select(i => (double)i * StepStride).ToArray();
        var series = new List<(string, double[])>();
        for (var s = 0; s < SeriesCount; s++)
        {
            var start = 2 + random.NextDouble();
            var floor = 0.05 + 0.2 * random.NextDouble();
            var rate = 3 + 4 * random.NextDouble();
            var values = new double[Points];
            for (var i = 0; i < Points; i++)
            {
                var clean = floor + (start - floor) * Math.Exp(-rate * i / Points);
                // Noise in proportion to the loss, so the line stays positive (a log axis must take it).
                values[i] = clean * (1 + 0.08 * (random.NextDouble() - 0.5));
            }

            series.Add(($"run-{s:D2}", values));
        }

        return new ChartChoiceData(steps, series);
    }

    /// <summary>The points with steps in [<paramref name="from"/>, <paramref name="to"/>]: a zoomed chart's data.</summary>
    public ChartChoiceData Window(double from, double to)
    {
        var first = Array.FindIndex(Steps, s => s >= from);
        var last = Array.FindLastIndex(Steps, s => s <= to);
        var count = last - first + 1;
        return new ChartChoiceData(Steps[first..(last + 1)], Series.Select(s => (s.Name, s.Values.AsSpan(first, count).ToArray())).ToList());
    }

    // A saturated, mid-dark colour of the given hue (HSL 70 %, 45 %).
    private static string Hex(double hue)
    {
        const double saturation = 0.7, lightness = 0.45;
        var chroma = (1 - Math.Abs(2 * lightness - 1)) * saturation;
        var x = chroma * (1 - Math.Abs(hue / 60 % 2 - 1));
        var (r, g, b) = (int)(hue / 60) switch
        {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        var m = lightness - chroma / 2;
        return string.Create(CultureInfo.InvariantCulture, $"#{(int)Math.Round((r + m) * 255):x2}{(int)Math.Round((g + m) * 255):x2}{(int)Math.Round((b + m) * 255):x2}");
    }
}
