using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Reproduction;

/// <summary>
/// The verdicts of the compared runs that reproduce another compared run. The compare answer's summaries carry the
/// parent but not the verdict, so each such run's reproduction record is read from the tracker (a clone or resumed
/// run has a parent too, but no record, and is left out).
/// </summary>
public partial class CompareVerdicts : IDisposable
{
    private IReadOnlyList<Pair> pairs = [];
    private IReadOnlyList<Guid> loadedIds = [];
    private bool loaded;
    private PersistingComponentStateSubscription persisting;

    /// <summary>The compared runs, in the page's order.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<RunSummary> Runs { get; set; } = [];

    /// <summary>The page's label of each run, aligned with <see cref="Runs"/>.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<string> Labels { get; set; } = [];

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private ILogger<CompareVerdicts> Logger { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    private static string StateKey(IEnumerable<Guid> ids) => $"compare-verdicts:{string.Join(',', ids)}";

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        // The prerender hands the verdicts it read to the circuit, which shows them without reading the runs again.
        persisting = State.RegisterOnPersisting(() =>
        {
            if (loaded)
            {
                State.PersistAsJson(StateKey(loadedIds), pairs);
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var ids = Runs.Select(r => r.Id).ToList();
        if (loadedIds.SequenceEqual(ids))
        {
            return;
        }

        loadedIds = ids;
        loaded = false;
        if (State.TryTakeFromJson<List<Pair>>(StateKey(ids), out var shown) && shown is not null)
        {
            (pairs, loaded) = (shown, true);
            return;
        }

        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var children = Runs.Where(r => r.ParentRunId is { } parent && index.ContainsKey(parent)).ToList();
        var found = await Task.WhenAll(children.Select(async child =>
        {
            var reproduction = await ReproductionOfAsync(child.Id);
            return reproduction is null
                ? null
                : new Pair(child.Id, Label(index[child.Id]), reproduction.ParentRunId, Label(index[reproduction.ParentRunId]),
                    reproduction.Verdict ?? child.Verdict, reproduction.Description);
        }));
        pairs = found.OfType<Pair>().ToList();
        loaded = true;
    }

    /// <inheritdoc />
    public void Dispose() => persisting.Dispose();

    private string Label(int i) => i < Labels.Count ? Labels[i] : Runs[i].Name;

    private async Task<RunReproduction?> ReproductionOfAsync(Guid runId)
    {
        try
        {
            return (await Tracker.GetRunAsync(runId, CancellationToken.None)).Reproduction;
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            // The verdict line is an extra: the comparison itself stands without it.
            Logger.LogWarning(exception, "Reading the reproduction of run {RunId} failed", runId);
            return null;
        }
    }

    /// <summary>A compared reproduction and its compared parent.</summary>
    private sealed record Pair(Guid Child, string ChildLabel, Guid Parent, string ParentLabel, string? Verdict, string? Description);
}
