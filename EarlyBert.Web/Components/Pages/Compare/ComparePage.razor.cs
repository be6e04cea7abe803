using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Web.Charts;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Components.Shared.Charts;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>
/// <c>/compare?runs=a,b,c&amp;metrics=…&amp;diff=1&amp;x=epoch&amp;smooth=0.6&amp;log=1&amp;hide=b</c>: 2–20 runs side by side — comparability, params and metadata,
/// overlaid metric charts with one legend and a best/last summary. Every choice on the page is written back into the address.
/// </summary>
public partial class ComparePage : IDisposable
{
    // The prerender's answer without series, handed to the circuit so that its first render shows the same page
    // (and the charts the browser drew from /compare/data meanwhile) without asking the tracker first.
    private const string OutlineKey = "compare-outline";

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
    private Comparison? outline;
    private PersistingComponentStateSubscription persisting;
    // Per metric the whole series (for the summary and to map a zoomed x range back to steps), and the zoomed steps
    // a chart shows; the charts fetch their own lines from /compare/data.
    private Dictionary<string, IReadOnlyList<ChartSeries>> lines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StepRange> zooms = new(StringComparer.Ordinal);

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

    /// <summary>Runs whose lines the charts leave out, comma-separated ids.</summary>
    [SupplyParameterFromQuery(Name = "hide")]
    public string? HideQuery { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    [Inject]
    private ILogger<ComparePage> Logger { get; set; } = default!;

    private CompareView View => CompareQuery.ParseView(MetricsQuery, DiffQuery, XQuery, SmoothQuery, LogQuery, HideQuery);

    private IReadOnlyCollection<Guid> Hidden => View.Hidden ?? [];

    // Params and metadata side by side while a run's column still has room for a value; one above the other beyond.
    private int TableWidth => runIds.Count > SideBySideRuns ? 12 : 6;

    /// <summary>Most runs whose params and metadata tables stand side by side on a wide window.</summary>
    public const int SideBySideRuns = 4;

    private bool OnlyDifferences => View.OnlyDifferences;

    private MetricChartOptions ChartOptions => View.Chart;

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        // As the tracker's own JSON, which carries NaN metric values that the default options refuse.
        if (State.TryTakeFromJson<string>(OutlineKey, out var persisted) && persisted is not null)
        {
            outline = JsonSerializer.Deserialize(persisted, TrackerJsonContext.Default.Comparison);
        }

        persisting = State.RegisterOnPersisting(() =>
        {
            if (outline is { } shown)
            {
                State.PersistAsJson(OutlineKey, JsonSerializer.Serialize(shown, TrackerJsonContext.Default.Comparison));
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        // Flipping "only differences", smoothing or the scale changes the address but not what has to be fetched
        // here (the charts' addresses change, and they fetch again); epoch and time axes need each point's epoch and
        // timestamp.
        var query = $"{RunsQuery}|{MetricsQuery}|{ChartOptions.NeedsTimes}";
        if (query == loadedQuery)
        {
            return;
        }

        var runsChanged = loadedQuery is not null && !loadedQuery.StartsWith(RunsQuery + "|", StringComparison.Ordinal);
        loadedQuery = query;
        (queryError, loadError) = (null, null);
        zooms.Clear();
        if (runsChanged)
        {
            (outline, comparison) = (null, null);
        }

        (runIds, queryError) = CompareQuery.ParseRuns(RunsQuery);
        if (queryError is null)
        {
            await ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        loadError = null;
        try
        {
            // The prerender asks only for runs, params, metadata and metric keys (a cheap answer), so the first HTML
            // comes quickly and names the charts, whose data the browser fetches from /compare/data at once.
            outline ??= await Tracker.CompareAsync(runIds, [], MaxPoints, CancellationToken.None);
            available = MetricKeys.Ordered(outline.MetricKeys ?? []);
            var asked = MetricsQuery is null ? available.Take(DefaultMetricCount).ToList() : CompareQuery.ParseMetrics(MetricsQuery);
            chosen = asked.Where(available.Contains).ToList();
            if (comparison is null)
            {
                Show(outline);
            }

            // The series themselves, for the summary and for mapping a zoom on the epoch or time axis back to steps,
            // only on the circuit: the charts do not wait for them.
            if (RendererInfo.IsInteractive && chosen.Count > 0)
            {
                var answer = await Tracker.CompareAsync(runIds, chosen, MaxPoints, CancellationToken.None, withTimes: ChartOptions.NeedsTimes);
                Show(answer with { Metrics = answer.Metrics.Where(m => chosen.Contains(m.Key)).ToList() });
            }
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
        lines = answer.Metrics.ToDictionary(m => m.Key, m => (IReadOnlyList<ChartSeries>)Lines(m.Series), StringComparer.Ordinal);
        comparison = answer;
    }

    private IReadOnlyList<ChartSeries> Lines(string metric) => lines.GetValueOrDefault(metric) ?? [];

    private string ChartSource(string metric) =>
        CompareChartData.Href(runIds, metric, ChartOptions, zooms.TryGetValue(metric, out var range) ? range : null, View.Hidden);

    private List<ChartSeries> Lines(IReadOnlyList<DownsampledSeries?> series) => series
        .Select((s, i) => s is null ? null : new ChartSeries(labels[i], s, Slot: i))
        .OfType<ChartSeries>()
        .ToList();

    // A zoom changes the chart's address to the visible steps; the chart fetches the tracker's finer series itself.
    private void Zoom(string metric, StepRange? range)
    {
        if (range is { } steps)
        {
            zooms[metric] = steps;
        }
        else
        {
            zooms.Remove(metric);
        }
    }

    private void Go(CompareView view) => Navigation.NavigateTo(CompareQuery.Href(runIds, view), replace: true);

    private void SetOnlyDifferences(bool on) => Go(View with { Metrics = MetricsQuery is null ? null : chosen, OnlyDifferences = on });

    private void SetXAxis(ChartXAxis axis) => Go(View with { Chart = ChartOptions with { XAxis = axis } });

    private void SetSmoothing(double weight) => Go(View with { Chart = ChartOptions with { Smoothing = weight } });

    private void SetLogScale(bool on) => Go(View with { Chart = ChartOptions with { LogScale = on } });

    // Hidden in the order of the compared runs, so one set of hidden runs has one address.
    private void ToggleRun(Guid runId) => Go(View with
    {
        Hidden = runIds.Where(id => id == runId ? !View.Hides(id) : View.Hides(id)).ToList(),
    });

    private void ChooseMetric(string key, bool on)
    {
        var next = on ? chosen.Append(key).ToList() : chosen.Where(k => k != key).ToList();
        // An explicit empty choice is still a choice: "metrics=" keeps the default set from coming back.
        Go(View with { Metrics = MetricKeys.Ordered(next) });
    }

    /// <inheritdoc />
    public void Dispose() => persisting.Dispose();
}
