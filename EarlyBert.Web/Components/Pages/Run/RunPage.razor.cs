using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Artifacts;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>
/// <c>/runs/{id}</c>: one run — status, timing, parent and child runs, params, metadata, charts, artifacts, model card
/// — kept live while it is queued or running through the tracker's event stream; Clone opens New run with its config,
/// Reproduce queues its config verbatim; a reproduction shows its verdict and per-step differences from its parent.
/// </summary>
public partial class RunPage
{
    /// <summary>How long the page waits before subscribing again when the event stream broke.</summary>
    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromSeconds(5);

    // The tracker's first event on every stream, sent once the subscription is live: nothing after it is missed.
    private const string StreamReady = "ready";

    private Tracker.Client.Runs.Run? run;
    private bool notFound;
    private string? loadError;
    private string? actionError;
    private string? liveError;
    private bool cancelling;
    private IReadOnlyList<ArtifactInfo>? artifacts;
    private string? artifactsError;
    private Tracker.Client.Runs.RunPage? children;
    private string? childrenError;
    private RunMetricCharts? charts;
    private ReproductionPanel? reproductionPanel;
    private Guid loadedId;
    private bool interactive;
    private CancellationTokenSource? watch;
    private RefreshThrottle? chartRefresh;
    private PersistingComponentStateSubscription persisting;
    // The run shown may be older than the event stream about to open (read by the prerender, or before the stream
    // broke): the stream's first event asks for it again.
    private bool catchUp;

    /// <summary>How many child runs the page lists; the rest are a filter away on the runs list.</summary>
    private const int ChildrenShown = 20;

    /// <summary>The run id from the address.</summary>
    [Parameter]
    public Guid Id { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private ILogger<RunPage> Logger { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    private bool CanCancel => run?.Status is RunStatuses.Queued or RunStatuses.Running;

    // The tracker's search language: the runs whose parent is this one (clones, resumed runs).
    private string ChildrenFilter => $"parent = \"{Id}\"";

    private ArtifactInfo? ModelCardArtifact => artifacts?.FirstOrDefault(a => a.Path == ModelCard.Path);

    private IReadOnlyList<KeyValuePair<string, string>> Overview
    {
        get
        {
            var entries = new List<KeyValuePair<string, string>>
            {
                new("Status", run!.Status),
                new("Created", Formats.Time(run.CreatedAt)),
                new("Started", Formats.Time(run.StartedAt)),
                new("Ended", Formats.Time(run.EndedAt)),
            };
            if (run.StartedAt is { } started)
            {
                // A run still going is measured up to now; it is redrawn on every live update.
                var end = run.EndedAt ?? Time.GetUtcNow();
                entries.Add(new(run.EndedAt is null ? "Running for" : "Duration", Formats.Duration(end - started)));
            }

            entries.Add(new("Worker", run.WorkerId ?? "—"));
            entries.Add(new("Last heartbeat", Formats.Time(run.HeartbeatAt)));
            if (!string.IsNullOrEmpty(run.StatusReason))
            {
                entries.Add(new("Status reason", run.StatusReason));
            }

            return entries;
        }
    }

    private IReadOnlyList<KeyValuePair<string, string>> LatestMetrics => MetricKeys
        .Ordered(run!.Metrics.Select(m => m.Key))
        .Select(key => run.Metrics.First(m => m.Key == key))
        .Select(m => KeyValuePair.Create(m.Key, $"{Formats.Number(m.Value)} (step {m.Step})"))
        .ToList();

    private IReadOnlyList<KeyValuePair<string, string>> Params =>
        run!.Params.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();

    // What the page shows once everything it asked for has answered; null while any of it is loading.
    private RunPageState? Shown =>
        (run is not null || notFound || loadError is not null)
        && (artifacts is not null || artifactsError is not null)
        && (children is not null || childrenError is not null)
            ? new RunPageState(loadedId, run, notFound, loadError, artifacts, artifactsError, children, childrenError)
            : null;

    private static string StateKey(Guid runId) => $"run-page:{runId}";

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        // The prerender hands what it showed to the circuit, whose first render shows the same (no "Loading run…").
        persisting = State.RegisterOnPersisting(() =>
        {
            if (Shown is { } shown && !PrerenderedState.Persist(State, StateKey(shown.RunId), shown, PrerenderedStateJsonContext.Default.RunPageState))
            {
                Logger.LogInformation("Run {RunId} is too large to hand from the prerender to the circuit, which loads it again", shown.RunId);
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (loadedId == Id)
        {
            return;
        }

        loadedId = Id;
        StopWatching();
        if (PrerenderedState.TryTake(State, StateKey(Id), PrerenderedStateJsonContext.Default.RunPageState, out var shown) && shown.RunId == Id)
        {
            (run, notFound, loadError, artifacts, artifactsError, children, childrenError) =
                (shown.Run, shown.NotFound, shown.LoadError, shown.Artifacts, shown.ArtifactsError, shown.Children, shown.ChildrenError);
            catchUp = true;
        }
        else
        {
            (run, notFound, loadError, artifacts, artifactsError, children, childrenError) = (null, false, null, null, null, null, null);
            catchUp = false;
            await LoadAsync();
        }

        StartWatchingIfLive();
    }

    /// <inheritdoc />
    protected override void OnAfterRender(bool firstRender)
    {
        // Only an interactive circuit renders "after"; the prerender must not open an event stream it cannot keep.
        if (firstRender)
        {
            interactive = true;
            StartWatchingIfLive();
        }
    }

    private async Task LoadAsync()
    {
        var runTask = LoadRunAsync();
        var artifactsTask = LoadArtifactsAsync();
        var childrenTask = LoadChildrenAsync();
        await Task.WhenAll(runTask, artifactsTask, childrenTask);
    }

    private async Task LoadChildrenAsync()
    {
        try
        {
            children = await Tracker.SearchRunsAsync(ChildrenFilter, "created desc", 0, ChildrenShown, CancellationToken.None);
            childrenError = null;
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Listing the child runs of run {RunId} failed", Id);
            childrenError = exception.Message;
        }
    }

    private async Task LoadRunAsync()
    {
        try
        {
            run = await Tracker.GetRunAsync(Id, CancellationToken.None);
            loadError = null;
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            notFound = true;
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Loading run {RunId} failed", Id);
            loadError = exception.Message;
        }
    }

    private async Task LoadArtifactsAsync()
    {
        try
        {
            artifacts = await Tracker.ListArtifactsAsync(Id, CancellationToken.None);
            artifactsError = null;
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            artifacts = [];
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Listing artifacts of run {RunId} failed", Id);
            artifactsError = exception.Message;
        }
    }

    private async Task RetryAsync()
    {
        (notFound, loadError) = (false, null);
        await LoadAsync();
        StartWatchingIfLive();
    }

    private async Task CancelAsync()
    {
        cancelling = true;
        actionError = null;
        try
        {
            run = await Tracker.CancelRunAsync(Id, CancellationToken.None);
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Cancelling run {RunId} failed", Id);
            actionError = $"The run could not be cancelled: {exception.Message}";
        }
        finally
        {
            cancelling = false;
        }
    }

    private void OnSaved(Tracker.Client.Runs.Run saved) => run = saved;

    private void StartWatchingIfLive()
    {
        if (!interactive || watch is not null || run is null || RunStatuses.IsTerminal(run.Status))
        {
            return;
        }

        watch = new CancellationTokenSource();
        chartRefresh = new RefreshThrottle(TimeSpan.FromSeconds(1), Time, RefreshChartsAsync, Logger);
        _ = WatchAsync(Id, watch.Token);
    }

    private async Task WatchAsync(Guid runId, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in Tracker.WatchEventsAsync(runId, cancellationToken))
                {
                    liveError = null;
                    await InvokeAsync(() => ApplyAsync(change));
                    if (run is not null && RunStatuses.IsTerminal(run.Status))
                    {
                        // An ended run changes no more; the last chart refresh is already requested.
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, cancellationToken))
            {
                Logger.LogWarning(exception, "The event stream of run {RunId} broke", runId);
                liveError = exception.Message;
                await InvokeAsync(StateHasChanged);
            }

            // Whatever happened while no stream was open is only in a fresh read of the run.
            catchUp = true;

            if (run is null || RunStatuses.IsTerminal(run.Status))
            {
                return;
            }

            try
            {
                await Task.Delay(ResubscribeDelay, Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ApplyAsync(RunEvent change)
    {
        if (change.Type == StreamReady)
        {
            if (!catchUp)
            {
                return;
            }

            catchUp = false;
            await ReloadRunAsync();
        }
        else if (change.Type is RunEvent.StatusChanged or RunEvent.Resync)
        {
            // The status event carries only the status; the reason, end time and final metrics come with the run.
            // A resync means events may have been missed: the run is read again all the same.
            await ReloadRunAsync();
        }
        else if (change.Type == RunEvent.MetricsLogged && run is not null && change.Metrics is { } latest)
        {
            var merged = run.Metrics.Where(m => latest.All(l => l.Key != m.Key)).Concat(latest).ToList();
            run = run with { Metrics = merged };
            chartRefresh?.Request();
        }

        StateHasChanged();
    }

    private async Task ReloadRunAsync()
    {
        await LoadRunAsync();
        chartRefresh?.Request();
        if (run is not null && RunStatuses.IsTerminal(run.Status))
        {
            await LoadArtifactsAsync();
        }
    }

    private Task RefreshChartsAsync() => InvokeAsync(async () =>
    {
        if (charts is not null)
        {
            await charts.ReloadAsync(CancellationToken.None);
        }

        // A running reproduction's difference chart grows with its metrics.
        if (reproductionPanel is not null)
        {
            await reproductionPanel.ReloadAsync(CancellationToken.None);
        }
    });

    private void StopWatching()
    {
        watch?.Cancel();
        watch?.Dispose();
        watch = null;
        chartRefresh?.Dispose();
        chartRefresh = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        persisting.Dispose();
        StopWatching();
    }
}
