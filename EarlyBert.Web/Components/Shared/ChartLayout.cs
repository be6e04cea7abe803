using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;

namespace EarlyBert.Web.Components.Shared;

/// <summary>The one look of every metric chart.</summary>
public static class ChartLayout
{
    /// <summary>A compact layout titled <paramref name="metric"/> with <paramref name="xTitle"/> under the x axis.</summary>
    public static Plotly.Blazor.Layout For(string metric, string xTitle) => new()
    {
        Title = new Title { Text = metric },
        Height = 300,
        Margin = new Margin { L = 50, R = 20, T = 40, B = 40 },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = xTitle } }],
        ShowLegend = true,
        // Keeps the user's zoom and hidden lines when live data redraws the chart.
        UiRevision = metric,
    };
}
