using EarlyBert.Web.Components.Shared.Charts;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;

namespace EarlyBert.Web.Components.Shared;

/// <summary>The one look of every metric chart.</summary>
public static class ChartLayout
{
    /// <summary>A compact layout titled <paramref name="metric"/>, its axes as <paramref name="options"/> say.</summary>
    public static Plotly.Blazor.Layout For(string metric, MetricChartOptions options) => new()
    {
        Title = new Title { Text = metric },
        Height = 300,
        Margin = new Margin { L = 50, R = 20, T = 40, B = 40 },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = XTitle(options.XAxis) } }],
        YAxis = [new YAxis { Type = options.LogScale ? Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Log : Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum.Linear }],
        // One hover box listing every line's value at the x under the pointer.
        HoverMode = HoverModeEnum.XUnified,
        ShowLegend = true,
        // Keeps the user's zoom and hidden lines when live data redraws the chart; another x axis starts afresh.
        UiRevision = $"{metric}|{options.XAxis}",
    };

    /// <summary>The x axis title.</summary>
    public static string XTitle(ChartXAxis axis) => axis switch
    {
        ChartXAxis.Epoch => "epoch",
        ChartXAxis.Time => "seconds since first point",
        _ => "step",
    };
}
