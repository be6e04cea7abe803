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

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (loadedId == Id)
        {
            return;
        }

        loadedId = Id;
        StopWatching();
        (run, notFound, loadError, artifacts, artifactsError, children, childrenError) = (null, false, null, null, null, null, null);
        await LoadAsync();
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
        if (change.Type == RunEvent.StatusChanged)
        {
            // The status event carries only the status; the reason, end time and final metrics come with the run.
            await LoadRunAsync();
            chartRefresh?.Request();
            if (run is not null && RunStatuses.IsTerminal(run.Status))
            {
                await LoadArtifactsAsync();
            }
        }
        else if (change.Type == RunEvent.MetricsLogged && run is not null && change.Metrics is { } latest)
        {
            var merged = run.Metrics.Where(m => latest.All(l => l.Key != m.Key)).Concat(latest).ToList();
            run = run with { Metrics = merged };
            chartRefresh?.Request();
        }

        StateHasChanged();
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
    public void Dispose() => StopWatching();
}
