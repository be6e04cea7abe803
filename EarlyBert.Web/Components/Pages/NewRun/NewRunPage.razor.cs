using System.Net;
using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Tracker.Client;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.NewRun;

/// <summary>
/// <c>/runs/new</c>: a run config from a preset, a pasted model card or a stored run (<c>?clone=RUN_ID</c>), edited
/// as JSON or with key=value overrides, checked by the trainer's parser on every edit, then queued for a worker.
/// </summary>
public partial class NewRunPage : IDisposable
{
    private string configText = "";
    private string overridesText = "";
    private string cardText = "";
    private string? cardError;
    private ConfigProblem? problem;
    private RunConfig? config;
    private string? source;
    private Guid? parentRunId;
    private string? cloneError;
    private bool cloneLoading;
    private string? loadedClone;
    private bool queueing;
    private string? queueError;
    // The clone as the prerender loaded it, handed to the circuit so the run is not asked for twice.
    private ClonedRun? cloned;
    private PersistingComponentStateSubscription persisting;

    /// <summary>The run to clone (<c>?clone=RUN_ID</c>): its stored config fills the editor and it becomes the parent.</summary>
    [SupplyParameterFromQuery(Name = "clone")]
    public string? Clone { get; set; }

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<NewRunPage> Logger { get; set; } = default!;

    [Inject]
    private PersistentComponentState State { get; set; } = default!;

    private static IReadOnlyList<string> PresetNames => Presets.Names;

    private bool CanQueue => config is not null && !queueing;

    private static string StateKey(string clone) => $"new-run-clone:{clone}";

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        persisting = State.RegisterOnPersisting(() =>
        {
            if (cloned is { } shown)
            {
                State.PersistAsJson(StateKey(shown.Asked), shown);
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (Clone == loadedClone)
        {
            return;
        }

        loadedClone = Clone;
        if (Clone is null)
        {
            return;
        }

        if (State.TryTakeFromJson<ClonedRun>(StateKey(Clone), out var shown) && shown is not null && shown.Asked == Clone)
        {
            Show(shown);
        }
        else
        {
            Show(await LoadCloneAsync(Clone));
        }
    }

    private void Show(ClonedRun clone)
    {
        cloned = clone;
        cloneError = clone.Error;
        if (clone.Config is not null)
        {
            Fill(clone.Config, clone.Source!, clone.ParentRunId);
        }
    }

    private async Task<ClonedRun> LoadCloneAsync(string clone)
    {
        if (!Guid.TryParse(clone, out var runId))
        {
            return ClonedRun.Failed(clone, $"'{clone}' is not a run id.");
        }

        cloneLoading = true;
        try
        {
            var run = await Tracker.GetRunAsync(runId, CancellationToken.None);
            // Runs made through the tracker API may store no config; the parser would read {} as every default.
            if (run.Config.ValueKind != JsonValueKind.Object || !run.Config.EnumerateObject().Any())
            {
                return ClonedRun.Failed(clone, $"Run {run.Name} has no stored config to clone; start from a preset instead.");
            }

            return new ClonedRun(clone, RunDraft.FromStored(run.Config), $"a clone of run {run.Name} ({run.Id})", run.Id, null);
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return ClonedRun.Failed(clone, $"There is no run {runId} to clone.");
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Loading run {RunId} to clone failed", runId);
            return ClonedRun.Failed(clone, $"The tracker could not load run {runId}: {exception.Message}");
        }
        finally
        {
            cloneLoading = false;
        }
    }

    private void UsePreset(string name) => Fill(RunDraft.FromPreset(name), $"the {name} preset", null);

    private void ImportCard()
    {
        try
        {
            Fill(RunDraft.FromCard(cardText), "an imported model card", null);
            cardError = null;
        }
        catch (FormatException exception)
        {
            cardError = exception.Message;
        }
    }

    private void Fill(string text, string from, Guid? parent)
    {
        (configText, overridesText, source, parentRunId, queueError) = (text, "", from, parent, null);
        Check();
    }

    private void OnConfigChanged(string text)
    {
        configText = text ?? "";
        Check();
    }

    private void OnOverridesChanged(string text)
    {
        overridesText = text ?? "";
        Check();
    }

    private void Check() => (config, problem) = RunDraft.Check(configText, RunDraft.OverrideLines(overridesText));

    private async Task QueueAsync()
    {
        // Checked again here: what is queued is what the trainer's parser accepts now, not at the last edit.
        Check();
        if (config is null)
        {
            return;
        }

        queueing = true;
        queueError = null;
        try
        {
            await Tracker.EnsureExperimentAsync(config.Experiment, "Runs queued from the dashboard.", CancellationToken.None);
            var notes = $"Queued from the dashboard: {source ?? "a config written by hand"}.";
            var run = await Tracker.CreateRunAsync(RunDraft.ToQueuedRun(config, parentRunId, notes), CancellationToken.None);
            Logger.LogInformation("Queued run {RunId} from {Source}", run.Id, source);
            Navigation.NavigateTo($"/runs/{run.Id}");
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Queuing a run failed");
            queueError = $"The tracker did not queue the run: {exception.Message}";
        }
        finally
        {
            queueing = false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => persisting.Dispose();
}

/// <summary>A run loaded to clone (<c>?clone=</c>): its config as the editor shows it, or why there is none.</summary>
/// <param name="Asked">The <c>clone</c> value it answers.</param>
/// <param name="Config">The stored config as editor text; null when <paramref name="Error"/> says why not.</param>
/// <param name="Source">Where the config came from, in words.</param>
/// <param name="ParentRunId">The run cloned, the queued run's parent.</param>
/// <param name="Error">Why nothing could be cloned.</param>
internal sealed record ClonedRun(string Asked, string? Config, string? Source, Guid? ParentRunId, string? Error)
{
    /// <summary>A clone that could not be loaded.</summary>
    public static ClonedRun Failed(string clone, string error) => new(clone, null, null, null, error);
}
