using EarlyBert.Tracker.Client.Artifacts;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>
/// What the Run page showed after loading: the run (or why not), its artifacts and its child runs. The server
/// prerender hands it to the circuit (<see cref="PrerenderedState"/>), whose first render then shows the same page
/// without asking the tracker again.
/// </summary>
/// <param name="RunId">The run it is about; a state for another run is not used.</param>
/// <param name="Run">The run, or null when it was not found or failed to load.</param>
/// <param name="NotFound">The tracker does not know the run.</param>
/// <param name="LoadError">Why the run could not be loaded.</param>
/// <param name="Artifacts">Its artifacts, null when listing them failed.</param>
/// <param name="ArtifactsError">Why listing them failed.</param>
/// <param name="Children">The first child runs.</param>
/// <param name="ChildrenError">Why listing them failed.</param>
internal sealed record RunPageState(
    Guid RunId,
    Tracker.Client.Runs.Run? Run,
    bool NotFound,
    string? LoadError,
    IReadOnlyList<ArtifactInfo>? Artifacts,
    string? ArtifactsError,
    Tracker.Client.Runs.RunPage? Children,
    string? ChildrenError);
