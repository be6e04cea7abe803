using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>
/// The home page: the runs the tracker knows, paged and sorted on the server, filtered in the tracker's search
/// language, with chosen param and metric columns; statuses update live; runs picked here open Compare. The address
/// carries the filter, the order and the columns.
/// </summary>
public partial class RunsPage : IDisposable
{
    /// <summary>How often at most the visible page is re-queried when runs appear or change status.</summary>
    internal static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Func<RunSummary, object>> sortFunctions = new(StringComparer.Ordinal);
    private readonly Dictionary<Func<RunSummary, object?>, string> sortFields = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Guid, string> liveStatus = [];
    private readonly Dictionary<Guid, Dictionary<string, double>> liveMetrics = [];

    // The page the server prerender showed, handed to the circuit so its first render shows the same rows at once.
    private const string FirstPageKey = "runs-first-page";

    private MudDataGrid<RunSummary>? grid;
    private FirstPage? firstPage;
    private PersistingComponentStateSubscription persisting;
    private HashSet<RunSummary> selected = new(RunById.Instance);
    private RunsView view = RunsView.Default;
    private string? gridOrder;
    private string? filterText;

    // True until the tracker has answered the current view (with runs, none, or an error): the server prerender and
    // the first interactive render come before that, and must not claim that there are no runs.
    private bool loading = true;
    private string? loadError;
    private FilterError? filterError;
    private bool pickerOpen;
    private RunKeys? keys;
    private string? keysError;
    private string? liveError;
    private IReadOnlySet<Guid> visibleRuns = new HashSet<Guid>();
    private CancellationTokenSource? watch;
    private RefreshThrottle? refresh;

    /// <summary>The filter from the address (<c>?filter=</c>).</summary>
    [SupplyParameterFromQuery(Name = "filter")]
    public string? Filter { get; set; }

    /// <summary>The order from the address (<c>?orderBy=</c>).</summary>
    [SupplyParameterFromQuery(Name = "orderBy")]
    public string? OrderBy { get; set; }

    /// <summary>The extra columns from the address (<c>?columns=params.a,metrics.b</c>).</summary>
    [SupplyParameterFromQuery(Name = "columns")]
    public string? Columns { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    [Inject]
    private ILogger<RunsPage> Logger { get; set; } = default!;

    private bool CanCompare => selected.Count is >= CompareQuery.MinRuns and <= CompareQuery.MaxRuns;

    private string CompareHref => CompareQuery.Href(selected.Select(run => run.Id));

    private string LiveTooltip => liveError is null
        ? "Statuses and new runs update as the tracker reports them."
        : $"The tracker's event stream broke ({liveError}); trying again.";

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        if (State.TryTakeFromJson<FirstPage>(FirstPageKey, out var persisted))
        {
            firstPage = persisted;
        }

        persisting = State.RegisterOnPersisting(() =>
        {
            if (firstPage is { } page)
            {
                State.PersistAsJson(FirstPageKey, page);
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var requested = RunsView.FromQuery(Filter, OrderBy, Columns);
        if (requested.Equals(view) && filterText is not null)
        {
            return;
        }

        // First render, or the address changed under the page (back, forward, a pasted link).
        filterText = requested.Filter;
        await ShowAsync(requested, updateAddress: false);
    }

    /// <inheritdoc />
    protected override void OnAfterRender(bool firstRender)
    {
        // Only an interactive circuit renders "after"; the prerender must not open an event stream it cannot keep.
        if (firstRender)
        {
            watch = new CancellationTokenSource();
            refresh = new RefreshThrottle(RefreshInterval, Time, () => InvokeAsync(ReloadAsync), Logger);
            _ = WatchAsync(watch.Token);
        }
    }

    private async Task ShowAsync(RunsView next, bool updateAddress)
    {
        var reload = !next.Equals(view);
        view = next;
        if (updateAddress)
        {
            Navigation.NavigateTo(view.Href, new NavigationOptions { ReplaceHistoryEntry = true });
        }

        if (reload && grid is not null)
        {
            firstPage = null;
            loading = true;
            filterError = null;
            // A new filter or order starts on the first page.
            grid.NavigateTo(Page.First);
            await grid.ReloadServerData();
        }
    }

    private Func<RunSummary, object> SortFunction(string field)
    {
        if (!sortFunctions.TryGetValue(field, out var function))
        {
            // The grid sorts on the server, so the function never runs; its identity tells which column was clicked.
            function = _ => field;
            sortFunctions[field] = function;
            sortFields[function] = field;
        }

        return function;
    }

    private SortDirection InitialDirection(string field) => view.Sort is { } sort && sort.Field == field
        ? (sort.Descending ? SortDirection.Descending : SortDirection.Ascending)
        : SortDirection.None;

    private async Task<GridData<RunSummary>> LoadRunsAsync(GridState<RunSummary> state, CancellationToken cancellationToken)
    {
        var orderBy = OrderFrom(state);
        if (gridOrder is not null && orderBy != gridOrder && orderBy != view.OrderBy)
        {
            // A header was clicked: the address follows, and since the view already matches, nothing loads twice.
            view = view with { OrderBy = orderBy };
            Navigation.NavigateTo(view.Href, new NavigationOptions { ReplaceHistoryEntry = true });
        }

        // Only a change of the grid's own sort is a click; an order that came with the address stays until then.
        gridOrder = orderBy;

        var asked = view;
        try
        {
            // The prerender's first page answers the circuit's first asks for it; later ones go to the tracker.
            var page = firstPage is { } shown && shown.Href == asked.Href && state.Page == 0 && state.PageSize == shown.PageSize
                ? shown.Runs
                : await Tracker.SearchRunsAsync(
                    NullIfEmpty(asked.Filter), NullIfEmpty(asked.OrderBy), asked.ParamKeys, asked.MetricKeys, state.Page * state.PageSize, state.PageSize, cancellationToken);
            if (state.Page == 0)
            {
                firstPage = new FirstPage(asked.Href, state.PageSize, page);
            }

            (loading, loadError, filterError) = (false, null, null);
            liveStatus.Clear();
            liveMetrics.Clear();
            visibleRuns = page.Runs.Select(r => r.Id).ToHashSet();
            // The grid re-renders itself; the page around it (the error alert, the filter message) needs telling.
            StateHasChanged();
            return new GridData<RunSummary> { Items = page.Runs, TotalItems = (int)Math.Min(page.TotalCount, int.MaxValue) };
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, cancellationToken))
        {
            filterError = FilterError.From(exception);
            if (filterError is null)
            {
                Logger.LogWarning(exception, "Listing runs from the tracker failed");
                loadError = exception.Message;
            }
            else
            {
                loadError = null;
            }

            loading = false;
            visibleRuns = new HashSet<Guid>();
            StateHasChanged();
            return new GridData<RunSummary> { Items = [], TotalItems = 0 };
        }
    }

    private string OrderFrom(GridState<RunSummary> state)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        return sort?.SortFunc is { } function && sortFields.TryGetValue(function, out var field)
            ? RunsView.OrderByFor(field, sort.Descending)
            : "";
    }

    private string StatusOf(RunSummary run) => liveStatus.GetValueOrDefault(run.Id, run.Status);

    private string MetricOf(RunSummary run, string key)
    {
        if (liveMetrics.TryGetValue(run.Id, out var latest) && latest.TryGetValue(key, out var live))
        {
            return Formats.Number(live);
        }

        return run.Metrics?.TryGetValue(key, out var value) == true ? Formats.Number(value) : "—";
    }

    private Task ApplyFilterAsync() => ShowAsync(view with { Filter = filterText?.Trim() ?? "" }, updateAddress: true);

    private async Task ClearFilterAsync()
    {
        filterText = "";
        await ApplyFilterAsync();
    }

    private Task ToggleColumnAsync(string column) => ShowAsync(view.Toggle(column), updateAddress: true);

    private async Task ToggleColumnPickerAsync()
    {
        pickerOpen = !pickerOpen;
        if (pickerOpen && keys is null)
        {
            try
            {
                keys = await Tracker.ListRunKeysAsync(CancellationToken.None);
                keysError = null;
            }
            catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
            {
                Logger.LogWarning(exception, "Listing run keys from the tracker failed");
                keysError = exception.Message;
            }
        }
    }

    private void OnSelectionChanged(HashSet<RunSummary> runs) => selected = runs;

    private Task RetryAsync()
    {
        loading = true;
        loadError = null;
        return ReloadAsync();
    }

    private Task ReloadAsync()
    {
        firstPage = null;
        return grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var change in Tracker.WatchEventsAsync(null, cancellationToken))
                {
                    if (liveError is not null)
                    {
                        liveError = null;
                        // Changes made while the stream was down are only in a fresh page.
                        refresh?.Request();
                        await InvokeAsync(StateHasChanged);
                    }

                    await InvokeAsync(() => Apply(change));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, cancellationToken))
            {
                Logger.LogWarning(exception, "The tracker's event stream broke");
                liveError = exception.Message;
                await InvokeAsync(StateHasChanged);
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

    private void Apply(RunEvent change)
    {
        if (change.Type == RunEvent.Resync)
        {
            // Events may have been missed: the page is read again (throttled like any other change).
            refresh?.Request();
        }
        else if (change.Type == RunEvent.StatusChanged && change.Status is { } status)
        {
            // The chip changes at once; the page is re-queried (throttled) because a new run or a new status can
            // move runs in or out of the filter and the order.
            if (visibleRuns.Contains(change.RunId))
            {
                liveStatus[change.RunId] = status;
                StateHasChanged();
            }

            refresh?.Request();
        }
        else if (change.Type == RunEvent.MetricsLogged && change.Metrics is { } metrics && visibleRuns.Contains(change.RunId) && view.MetricKeys.Count > 0)
        {
            // Latest values of a visible run's metric columns update in place; sorting by them waits for the next reload.
            if (!liveMetrics.TryGetValue(change.RunId, out var latest))
            {
                liveMetrics[change.RunId] = latest = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            foreach (var metric in metrics)
            {
                latest[metric.Key] = metric.Value;
            }

            StateHasChanged();
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <inheritdoc />
    public void Dispose()
    {
        persisting.Dispose();
        watch?.Cancel();
        watch?.Dispose();
        refresh?.Dispose();
    }
}

/// <summary>The first page of a Runs view, as the prerender showed it.</summary>
/// <param name="Href">The view's address.</param>
/// <param name="PageSize">Rows per page it was asked with.</param>
/// <param name="Runs">The tracker's answer.</param>
internal sealed record FirstPage(string Href, int PageSize, RunPage Runs);
