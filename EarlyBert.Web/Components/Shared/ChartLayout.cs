using EarlyBert.Web.Components.Shared.Charts;

namespace EarlyBert.Web.Components.Shared;

/// <summary>The one look of every metric chart: a plotly.js layout object, serialised as it is.</summary>
public static class ChartLayout
{
    /// <summary>Height of every chart in pixels (also the placeholder's, so the page does not jump).</summary>
    public const int Height = 300;

    /// <summary>
    /// A compact layout titled <paramref name="metric"/>, its axes as <paramref name="options"/> say; with
    /// <paramref name="legend"/> false the page names the lines itself (Compare's legend, shared by its charts).
    /// </summary>
    public static object For(string metric, MetricChartOptions options, bool legend = true) => new
    {
        title = new { text = metric },
        height = Height,
        margin = new { l = 50, r = 20, t = 40, b = 40 },
        xaxis = new { title = new { text = XTitle(options.XAxis) } },
        yaxis = new { type = options.LogScale ? "log" : "linear" },
        // One hover box listing every line's value at the x under the pointer.
        hovermode = "x unified",
        showlegend = legend,
        // Keeps the user's zoom and hidden lines when live data redraws the chart; another x axis starts afresh.
        uirevision = $"{metric}|{options.XAxis}",
    };

    /// <summary>The x axis title.</summary>
    public static string XTitle(ChartXAxis axis) => axis switch
    {
        ChartXAxis.Epoch => "epoch",
        ChartXAxis.Time => "seconds since first point",
        _ => "step",
    };
}
