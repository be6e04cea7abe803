using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>The home page: every run the tracker knows, newest first, paged on the server.</summary>
public partial class RunsPage
{
    private MudDataGrid<RunSummary>? grid;
    private string? loadError;

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private ILogger<RunsPage> Logger { get; set; } = default!;

    private async Task<GridData<RunSummary>> LoadRunsAsync(GridState<RunSummary> state, CancellationToken cancellationToken)
    {
        try
        {
            var page = await Tracker.ListRunsAsync(state.Page * state.PageSize, state.PageSize, cancellationToken);
            loadError = null;
            return new GridData<RunSummary> { Items = page.Runs, TotalItems = (int)Math.Min(page.TotalCount, int.MaxValue) };
        }
        catch (HttpRequestException exception)
        {
            Logger.LogWarning(exception, "Listing runs from the tracker failed");
            loadError = exception.Message;
            return new GridData<RunSummary> { Items = [], TotalItems = 0 };
        }
    }

    private Task RetryAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;
}
