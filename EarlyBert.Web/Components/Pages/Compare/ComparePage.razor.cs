using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Components.Shared.Charts;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>
/// <c>/compare?runs=a,b,c&amp;metrics=…&amp;diff=1&amp;x=epoch&amp;smooth=0.6&amp;log=1</c>: 2–20 runs side by side — comparability, params and metadata,
/// overlaid metric charts and a best/last summary. Every choice on the page is written back into the address.
/// </summary>
public partial class ComparePage
{
    /// <summary>Most points per run and metric in the overlaid charts.</summary>
    public const int MaxPoints = 1000;

    /// <summary>Metrics charted when the address names none: the most looked-at ones first.</summary>
    public const int DefaultMetricCount = 4;

    private string? queryError;
    private string? loadError;
    private Comparison? comparison;
    private IReadOnlyList<string> labels = [];
    private IReadOnlyList<ComparabilityIssue> issues = [];
    private IReadOnlyList<CompareRow> paramRows = [];
    private IReadOnlyList<CompareRow> metadataRows = [];
    private IReadOnlyList<string> available = [];
    private IReadOnlyList<string> chosen = [];
    private IReadOnlyList<MetricSummary> summaries = [];
    private IReadOnlyList<Guid> runIds = [];
    private string? loadedQuery;
    // Per metric the lines drawn: the whole series, or a zoomed range's. Kept, so a render draws only what changed.
    private Dictionary<string, IReadOnlyList<ChartSeries>> lines = new(StringComparer.Ordinal);

    /// <summary>The compared runs' ids, comma-separated.</summary>
    [SupplyParameterFromQuery(Name = "runs")]
    public string? RunsQuery { get; set; }

    /// <summary>The charted metrics, comma-separated; the default set when absent.</summary>
    [SupplyParameterFromQuery(Name = "metrics")]
    public string? MetricsQuery { get; set; }

    /// <summary>"1" to show only the params and metadata that differ.</summary>
    [SupplyParameterFromQuery(Name = "diff")]
    public string? DiffQuery { get; set; }

    /// <summary>X axis: <c>step</c> (default), <c>epoch</c> or <c>time</c> (seconds since each run's first point).</summary>
    [SupplyParameterFromQuery(Name = "x")]
    public string? XQuery { get; set; }

    /// <summary>EMA smoothing weight, 0 (default) to 0.99.</summary>
    [SupplyParameterFromQuery(Name = "smooth")]
    public string? SmoothQuery { get; set; }

    /// <summary>"1" for a logarithmic y axis.</summary>
    [SupplyParameterFromQuery(Name = "log")]
    public string? LogQuery { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private ILogger<ComparePage> Logger { get; set; } = default!;

    private CompareView View => CompareQuery.ParseView(MetricsQuery, DiffQuery, XQuery, SmoothQuery, LogQuery);

    private bool OnlyDifferences => View.OnlyDifferences;

    private MetricChartOptions ChartOptions => View.Chart;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        // Flipping "only differences", smoothing or the scale changes the address but not what has to be fetched;
        // epoch and time axes need each point's epoch and timestamp.
        var query = $"{RunsQuery}|{MetricsQuery}|{ChartOptions.NeedsTimes}";
        if (query == loadedQuery)
        {
            return;
        }

        loadedQuery = query;
        (queryError, loadError, comparison) = (null, null, null);
        (runIds, queryError) = CompareQuery.ParseRuns(RunsQuery);
        // The server prerender only says "Comparing runs…": the charts draw once the circuit is up, and a compare
        // fetched for the prerender would be fetched again (and its series sent twice) by the interactive render.
        if (queryError is null && RendererInfo.IsInteractive)
        {
            await ReloadAsync();
        }
    }

    /// <inheritdoc />
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // plotly.js runs in the browser while the tracker answers, rather than after the series arrive.
        if (firstRender && queryError is null)
        {
            await MetricChart.LoadPlotlyAsync(JS, Assets, Logger);
        }
    }

    private async Task ReloadAsync()
    {
        loadError = null;
        try
        {
            // The compare answer lists every metric key the runs have; only the default choice needs them first.
            var asked = CompareQuery.ParseMetrics(MetricsQuery);
            if (MetricsQuery is null)
            {
                var keys = await Tracker.CompareAsync(runIds, [], MaxPoints, CancellationToken.None);
                asked = MetricKeys.Ordered(keys.MetricKeys ?? []).Take(DefaultMetricCount).ToList();
            }

            var answer = await Tracker.CompareAsync(runIds, asked, MaxPoints, CancellationToken.None, withTimes: ChartOptions.NeedsTimes);
            available = MetricKeys.Ordered(answer.MetricKeys ?? []);
            chosen = asked.Where(available.Contains).ToList();
            Show(answer with { Metrics = answer.Metrics.Where(m => chosen.Contains(m.Key)).ToList() });
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Comparing runs {RunIds} failed", string.Join(',', runIds));
            loadError = exception.Message;
        }
    }

    private void Show(Comparison answer)
    {
        var facts = Comparability.FactsOf(answer);
        labels = facts.Select(f => f.Label).ToList();
        issues = Comparability.Check(facts);
        paramRows = answer.Params.Select(p => new CompareRow(p.Key, p.Values, p.Differs)).ToList();
        metadataRows = answer.Metadata
            .Select(m => new CompareRow(m.Key, m.Values.Select(v => v is { } value ? JsonText.Of(value) : null).ToList(), m.Differs))
            .ToList();
        summaries = answer.Metrics
            .SelectMany(metric => metric.Series.Select((series, i) => MetricSummary.Of(metric.Key, labels[i], series)))
            .ToList();
        lines = answer.Metrics.ToDictionary(m => m.Key, m => (IReadOnlyList<ChartSeries>)Lines(m.Series, m.Series), StringComparer.Ordinal);
        comparison = answer;
    }

    private string Label(Guid runId) => labels[comparison!.Runs.ToList().FindIndex(r => r.Id == runId)];

    private IReadOnlyList<ChartSeries> Lines(ComparedMetric metric) => lines[metric.Key];

    // Lines of zoomed series keep the time origin of the whole series, so the time axis does not shift on zoom.
    private List<ChartSeries> Lines(IReadOnlyList<DownsampledSeries?> series, IReadOnlyList<DownsampledSeries?> whole) => series
        .Select((s, i) => s is null ? null : new ChartSeries(labels[i], s, whole[i]?.Timestamps is [var first, ..] ? first : null))
        .OfType<ChartSeries>()
        .ToList();

    private async Task ZoomAsync(ComparedMetric metric, StepRange? range)
    {
        if (range is not { } steps)
        {
            lines[metric.Key] = Lines(metric.Series, metric.Series);
            return;
        }

        try
        {
            var answer = await Tracker.CompareAsync(runIds, [metric.Key], MaxPoints, CancellationToken.None, steps, ChartOptions.NeedsTimes);
            if (answer.Metrics is [var detail])
            {
                lines[metric.Key] = Lines(detail.Series, metric.Series);
            }
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            // The chart keeps the coarser points it has; zooming is no reason to replace the page with an error.
            Logger.LogWarning(exception, "Re-querying {Metric} for steps {From}..{To} failed", metric.Key, steps.From, steps.To);
        }
    }

    private void Go(CompareView view) => Navigation.NavigateTo(CompareQuery.Href(runIds, view), replace: true);

    private void SetOnlyDifferences(bool on) => Go(View with { Metrics = MetricsQuery is null ? null : chosen, OnlyDifferences = on });

    private void SetXAxis(ChartXAxis axis) => Go(View with { Chart = ChartOptions with { XAxis = axis } });

    private void SetSmoothing(double weight) => Go(View with { Chart = ChartOptions with { Smoothing = weight } });

    private void SetLogScale(bool on) => Go(View with { Chart = ChartOptions with { LogScale = on } });

    private void ChooseMetric(string key, bool on)
    {
        var next = on ? chosen.Append(key).ToList() : chosen.Where(k => k != key).ToList();
        // An explicit empty choice is still a choice: "metrics=" keeps the default set from coming back.
        Go(View with { Metrics = MetricKeys.Ordered(next) });
    }
}
