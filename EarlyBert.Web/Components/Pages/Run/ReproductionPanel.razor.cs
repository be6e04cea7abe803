using System.Globalization;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Reproduction;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>
/// The Run page's section for a reproduction (<see cref="Tracker.Client.Runs.Run.Reproduction"/> set): verdict,
/// description, preconditions, environment differences, overrides, and the chart of per-step relative differences
/// from <c>GET /api/runs/{id}/reproduction</c>, asked again whenever the run's status changes (the tracker judges a
/// reproduction when it ends, and that answer is then newer than the run the page holds).
/// </summary>
public partial class ReproductionPanel : IDisposable
{
    private ReproductionReport? report;
    private string? reportError;
    private IReadOnlyList<ChartSeries> lines = [];
    private (Guid Id, string? Status) loaded;
    private PersistingComponentStateSubscription persisting;

    /// <summary>The reproduction's id.</summary>
    [Parameter, EditorRequired]
    public Guid RunId { get; set; }

    /// <summary>Its status; a change asks the tracker again.</summary>
    [Parameter, EditorRequired]
    public string Status { get; set; } = "";

    /// <summary>Its reproduction record as the run carries it; shown until the tracker's report answers.</summary>
    [Parameter, EditorRequired]
    public RunReproduction Reproduction { get; set; } = default!;

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private ILogger<ReproductionPanel> Logger { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    // The report's record is at least as new as the run's: its GET judges an ended reproduction not judged yet.
    private RunReproduction Shown => report?.Reproduction is { } fresh && (fresh.JudgedAt is not null || Reproduction.JudgedAt is null)
        ? fresh
        : Reproduction;

    private IReadOnlyList<KeyValuePair<string, string>> Facts
    {
        get
        {
            var facts = new List<KeyValuePair<string, string>>
            {
                new("Verdict", Verdicts.Label(Shown.Verdict)),
                new("Preconditions", Shown.Precondition ?? "not checked yet (the data is not loaded)"),
                new("Loss tolerance", Shown.Tolerance is { } tolerance ? tolerance.ToString("G6", CultureInfo.InvariantCulture) + " relative" : "—"),
                new("Largest loss difference", Shown.MaxRelativeDifference is { } max ? max.ToString("G6", CultureInfo.InvariantCulture) + " relative" : "—"),
            };
            if (Shown.FirstDivergence is { } at)
            {
                facts.Add(new("First divergence",
                    $"step {at.Step}, {at.Metric}: {Value(at.ParentValue)} (parent) vs {Value(at.ChildValue)} (reproduction)"));
            }

            facts.Add(new("Judged", Formats.Time(Shown.JudgedAt)));
            return facts;
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> Overrides =>
        Shown.Overrides.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();

    private static string Value(double? value) => value is { } v ? Formats.Number(v) : "no value";

    private static string StateKey(Guid runId, string status) => $"reproduction:{runId}:{status}";

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        // The prerender hands its report (or why there is none) to the circuit, which shows the same without asking
        // the tracker again; a report too large to hand over (thousands of steps) is asked for again.
        persisting = State.RegisterOnPersisting(() =>
        {
            if ((report is not null || reportError is not null) && loaded.Status is { } status)
            {
                PrerenderedState.Persist(State, StateKey(loaded.Id, status), new PersistedReport(report, reportError), PrerenderedStateJsonContext.Default.PersistedReport);
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (loaded == (RunId, Status))
        {
            return;
        }

        loaded = (RunId, Status);
        // Only a report asked for at the same status stands for what the tracker answers now.
        if (PrerenderedState.TryTake(State, StateKey(RunId, Status), PrerenderedStateJsonContext.Default.PersistedReport, out var shown))
        {
            (report, reportError) = (shown.Report, shown.Error);
            lines = report is null ? [] : DifferenceSeries.Lines(report.Differences);
            return;
        }

        await ReloadAsync(CancellationToken.None);
    }

    /// <summary>Asks the tracker for the verdict and the differences so far (new points of a running reproduction).</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var answer = await Tracker.GetReproductionAsync(RunId, cancellationToken);
            (report, reportError, lines) = (answer, null, DifferenceSeries.Lines(answer.Differences));
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, cancellationToken))
        {
            Logger.LogWarning(exception, "Loading the reproduction report of run {RunId} failed", RunId);
            // A failed re-query keeps the chart already drawn.
            reportError = report is null ? exception.Message : null;
        }

        StateHasChanged();
    }

    /// <inheritdoc />
    public void Dispose() => persisting.Dispose();
}
