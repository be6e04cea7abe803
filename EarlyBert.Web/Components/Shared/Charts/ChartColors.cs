namespace EarlyBert.Web.Components.Shared.Charts;

/// <summary>
/// The colour of each line. A Compare chart colours a line by its run's position among the compared runs (its slot),
/// so a run keeps one colour on every chart and in the page's legend, also when another run lacks a metric.
/// </summary>
public static class ChartColors
{
    // plotly.js's ten default colours, then ten darker ones of other hues: Compare takes up to 20 runs, and a
    // repeated colour would make two runs one line in the legend.
    private static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#5254a3", "#8ca252", "#bd9e39", "#ad494a", "#a55194",
    ];

    /// <summary>How many lines get a colour of their own.</summary>
    public static int Count => Palette.Length;

    /// <summary>The CSS colour of the line in <paramref name="slot"/> (0-based); repeats after <see cref="Count"/>.</summary>
    public static string For(int slot) => Palette[(slot % Palette.Length + Palette.Length) % Palette.Length];
}
