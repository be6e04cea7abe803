namespace EarlyBert.Tracker.Client.Runs;

/// <summary>One run as listed by the tracker.</summary>
/// <param name="Id">Run id.</param>
/// <param name="Experiment">Name of the experiment the run belongs to.</param>
/// <param name="Name">Human-readable run name.</param>
/// <param name="Status">Lifecycle status: queued, running, finished, failed, crashed or cancelled.</param>
/// <param name="CreatedAt">When the run was created.</param>
public sealed record RunSummary(Guid Id, string Experiment, string Name, string Status, DateTimeOffset CreatedAt);

/// <summary>A page of runs.</summary>
/// <param name="Runs">The runs on this page, newest first.</param>
/// <param name="TotalCount">How many runs there are in all.</param>
public sealed record RunPage(IReadOnlyList<RunSummary> Runs, long TotalCount);
