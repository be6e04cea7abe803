using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Compare;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>The home page: every run the tracker knows, newest first, paged on the server; runs picked here open Compare.</summary>
public partial class RunsPage
{
    private MudDataGrid<RunSummary>? grid;
    private HashSet<RunSummary> selected = [];

    // False until the tracker has answered once (with runs, none, or an error): the server prerender and the first
    // interactive render happen before that, and must not claim that there are no runs.
    private bool answered;
    private string? loadError;

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private ILogger<RunsPage> Logger { get; set; } = default!;

    private bool CanCompare => selected.Count is >= CompareQuery.MinRuns and <= CompareQuery.MaxRuns;

    private string CompareHref => CompareQuery.Href(selected.Select(run => run.Id));

    private async Task<GridData<RunSummary>> LoadRunsAsync(GridState<RunSummary> state, CancellationToken cancellationToken)
    {
        try
        {
            var page = await Tracker.ListRunsAsync(state.Page * state.PageSize, state.PageSize, cancellationToken);
            loadError = null;
            answered = true;
            // The grid re-renders itself; the page around it (the error alert) needs telling.
            StateHasChanged();
            return new GridData<RunSummary> { Items = page.Runs, TotalItems = (int)Math.Min(page.TotalCount, int.MaxValue) };
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, cancellationToken))
        {
            Logger.LogWarning(exception, "Listing runs from the tracker failed");
            loadError = exception.Message;
            answered = true;
            StateHasChanged();
            return new GridData<RunSummary> { Items = [], TotalItems = 0 };
        }
    }

    private void OnSelectionChanged(HashSet<RunSummary> runs) => selected = runs;

    private Task RetryAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;
}
