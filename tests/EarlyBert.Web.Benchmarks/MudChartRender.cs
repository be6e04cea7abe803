using System.Diagnostics;
using System.Globalization;
using Bunit;
using MudBlazor;
using MudBlazor.Services;

namespace EarlyBert.Web.Benchmarks;

/// <summary>
/// MudBlazor's line chart rendered on the server as an interactive circuit renders it: the real component and
/// MudBlazor's services in bUnit's renderer (the circuit's JavaScript calls, which only measure the element's size,
/// answer nothing, as before the browser has answered). Its markup is what the browser must receive and draw.
/// </summary>
public sealed class MudChartRender : IDisposable
{
    /// <summary>The chart's size: half the Compare page at 1280 px wide, the dashboard charts' height.</summary>
    public const int Width = 600, Height = 300;

    private readonly BunitContext context = new();
    private IRenderedComponent<MudChart<double>>? chart;

    private readonly bool tooltips;

    /// <param name="tooltips">
    /// MudBlazor's hover values (its default): a hidden circle per point with mouse handlers that the circuit answers.
    /// </param>
    public MudChartRender(bool tooltips)
    {
        this.tooltips = tooltips;
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices();
    }

    /// <summary>MudBlazor's theme (its CSS variables), which the dashboard's layout renders once per page.</summary>
    public string ThemeMarkup() => context.Render<MudThemeProvider>().Markup;

    /// <summary>
    /// Renders <paramref name="data"/> as a new chart (<paramref name="update"/> false) or as new parameters of the
    /// chart rendered last, as a zoom would; returns the render's time (bUnit writes the markup as it renders, so it
    /// is counted too: more than a circuit's binary render batch costs) and the markup.
    /// </summary>
    public (double Millis, string Markup) Render(ChartChoiceData data, bool update)
    {
        // The line chart's x axis is a category per point; labelled every tenth of the range, since MudBlazor draws
        // every label it is given (a thousand overlap into a black bar; the empty ones stay as empty text elements).
        var every = Math.Max(1, data.Steps.Length / 10);
        var labels = data.Steps.Select((s, i) => i % every == 0 ? s.ToString(CultureInfo.InvariantCulture) : "").ToArray();
        var series = data.Series.Select(s => new ChartSeries<double> { Name = s.Name, Data = new ChartData<double>(s.Values) }).ToList();
        // Grid lines one loss unit apart (the default, 20, puts losses of 0–3 in the bottom sixth; 1 is the least).
        var options = new LineChartOptions { ChartPalette = [.. ChartChoiceData.Palette], LineStrokeWidth = 1, YAxisTicks = 1, ShowToolTips = tooltips };
        var watch = Stopwatch.StartNew();
        if (update && chart is not null)
        {
            chart.Render(p => p.Add(c => c.ChartSeries, series).Add(c => c.ChartLabels, labels));
        }
        else
        {
            chart = context.Render<MudChart<double>>(p => p
                .Add(c => c.ChartType, ChartType.Line)
                .Add(c => c.ChartSeries, series)
                .Add(c => c.ChartLabels, labels)
                .Add(c => c.ChartOptions, options)
                .Add(c => c.Width, $"{Width}px")
                .Add(c => c.Height, $"{Height}px"));
        }

        var markup = chart.Markup;
        return (watch.Elapsed.TotalMilliseconds, markup);
    }

    public void Dispose() => context.Dispose();
}
