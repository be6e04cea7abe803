using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Compare;

/// <summary>
/// <c>/compare?runs=a,b,c&amp;metrics=…&amp;diff=1</c>: 2–20 runs side by side — comparability, params and metadata,
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

    /// <summary>The compared runs' ids, comma-separated.</summary>
    [SupplyParameterFromQuery(Name = "runs")]
    public string? RunsQuery { get; set; }

    /// <summary>The charted metrics, comma-separated; the default set when absent.</summary>
    [SupplyParameterFromQuery(Name = "metrics")]
    public string? MetricsQuery { get; set; }

    /// <summary>"1" to show only the params and metadata that differ.</summary>
    [SupplyParameterFromQuery(Name = "diff")]
    public string? DiffQuery { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<ComparePage> Logger { get; set; } = default!;

    private bool OnlyDifferences => DiffQuery == "1";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        // Flipping "only differences" changes the address but not what has to be fetched.
        var query = $"{RunsQuery}|{MetricsQuery}";
        if (query == loadedQuery)
        {
            return;
        }

        loadedQuery = query;
        (queryError, loadError, comparison) = (null, null, null);
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
            // The compare API returns only the metrics asked for; which ones exist comes from each run's latest values.
            var latest = await Task.WhenAll(runIds.Select(id => Tracker.GetLatestMetricsAsync(id, CancellationToken.None)));
            available = MetricKeys.Ordered(latest.SelectMany(l => l).Select(m => m.Key));
            var asked = CompareQuery.ParseMetrics(MetricsQuery);
            chosen = MetricsQuery is null ? available.Take(DefaultMetricCount).ToList() : asked.Where(available.Contains).ToList();
            var answer = await Tracker.CompareAsync(runIds, chosen, MaxPoints, CancellationToken.None);
            Show(answer);
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
        comparison = answer;
    }

    private string Label(Guid runId) => labels[comparison!.Runs.ToList().FindIndex(r => r.Id == runId)];

    private IReadOnlyList<ChartSeries> Lines(ComparedMetric metric) => metric.Series
        .Select((series, i) => series is null ? null : new ChartSeries(labels[i], series))
        .OfType<ChartSeries>()
        .ToList();

    private void SetOnlyDifferences(bool on) =>
        Navigation.NavigateTo(CompareQuery.Href(runIds, MetricsQuery is null ? null : chosen, on), replace: true);

    private void ChooseMetric(string key, bool on)
    {
        var next = on ? chosen.Append(key).ToList() : chosen.Where(k => k != key).ToList();
        // An explicit empty choice is still a choice: "metrics=" keeps the default set from coming back.
        Navigation.NavigateTo(CompareQuery.Href(runIds, MetricKeys.Ordered(next), OnlyDifferences), replace: true);
    }
}
