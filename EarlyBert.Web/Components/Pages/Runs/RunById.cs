using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>
/// Runs are the same row when their ids are: a reloaded page brings new instances (with fresh statuses and columns),
/// and a run selected for Compare must stay selected through it.
/// </summary>
public sealed class RunById : IEqualityComparer<RunSummary>
{
    /// <summary>The one instance (the grid notices a new comparer by reference).</summary>
    public static RunById Instance { get; } = new();

    /// <inheritdoc />
    public bool Equals(RunSummary? x, RunSummary? y) => x?.Id == y?.Id;

    /// <inheritdoc />
    public int GetHashCode(RunSummary obj) => obj.Id.GetHashCode();
}
