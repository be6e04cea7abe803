using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Reproduction;
using EarlyBert.Web.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Components.Pages.Run;

/// <summary>
/// The Run page's Reproduce button: enabled on a finished, failed or cancelled run with a stored config (what
/// <c>POST /api/runs/{id}/reproduce</c> accepts), disabled with the reason otherwise; queues the reproduction with
/// the overrides box's key=value lines and opens it. A refused override is shown under the box with the tracker's
/// message naming its key.
/// </summary>
public partial class ReproduceButton
{
    private string overridesText = "";
    private bool showOverrides;
    private bool queueing;
    private bool interactive;
    private Guid shownFor;
    private ReproduceError? error;

    /// <summary>The run to reproduce.</summary>
    [Parameter, EditorRequired]
    public Tracker.Client.Runs.Run Run { get; set; } = default!;

    [Inject]
    private TrackerClient Tracker { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<ReproduceButton> Logger { get; set; } = default!;

    private bool OverridesGiven => showOverrides && NewRun.RunDraft.OverrideLines(overridesText).Count > 0;

    /// <summary>Why <paramref name="run"/> cannot be reproduced now (the tracker's own rules), or null when it can.</summary>
    public static string? WhyNot(Tracker.Client.Runs.Run run) => run.Status switch
    {
        RunStatuses.Queued or RunStatuses.Running =>
            $"This run is {run.Status}: only a finished, failed or cancelled run can be reproduced.",
        // The tracker refuses these too: a crashed run may still be re-queued and resumed, so it has not ended for good.
        RunStatuses.Crashed =>
            $"A crashed run may still be retried by the tracker (training.retries): resume it (earlybert train --resume {run.Id}) or reproduce it once it has finished, failed or been cancelled.",
        _ when run.Config.ValueKind != JsonValueKind.Object || !run.Config.EnumerateObject().Any() =>
            "This run has no stored config to reproduce (it was reported by a trainer, not queued with a config).",
        _ => null,
    };

    private string? DisabledReason => WhyNot(Run);

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        // The page keeps this component when it moves to another run (the reproduction just queued): start afresh.
        if (shownFor != Run.Id)
        {
            (shownFor, overridesText, showOverrides, error) = (Run.Id, "", false, null);
        }
    }

    /// <inheritdoc />
    protected override void OnAfterRender(bool firstRender)
    {
        // The server prerender shows the button before the circuit is up, when a click would be lost: it waits for it.
        if (firstRender)
        {
            interactive = true;
            StateHasChanged();
        }
    }

    private void ToggleOverrides() => showOverrides = !showOverrides;

    private async Task ReproduceAsync()
    {
        var (overrides, problem) = ReproductionOverrides.Parse(showOverrides ? overridesText : null);
        if (problem is not null)
        {
            error = new ReproduceError(problem, InOverrides: true);
            return;
        }

        queueing = true;
        error = null;
        try
        {
            var child = await Tracker.ReproduceRunAsync(Run.Id, overrides!.Count == 0 ? null : overrides, CancellationToken.None);
            Navigation.NavigateTo($"/runs/{child.Id}");
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.BadRequest)
        {
            error = new ReproduceError(ValidationMessage(exception), InOverrides: true);
            showOverrides = true;
        }
        catch (Exception exception) when (TrackerErrors.IsTrackerFailure(exception, CancellationToken.None))
        {
            Logger.LogWarning(exception, "Reproducing run {RunId} failed", Run.Id);
            error = new ReproduceError($"The run could not be reproduced: {exception.Message}", InOverrides: false);
        }
        finally
        {
            queueing = false;
        }
    }

    // The tracker's ValidationProblem keys a refused override as overrides.<key>; its message names the key already,
    // but the field says which line to fix when it does not.
    private static string ValidationMessage(TrackerApiException exception)
    {
        if (exception.Problem?.Extensions.TryGetValue("errors", out var errors) == true && errors is JsonElement { ValueKind: JsonValueKind.Object } fields)
        {
            var messages = fields.EnumerateObject().SelectMany(field =>
            {
                var key = field.Name.StartsWith("overrides.", StringComparison.Ordinal) ? field.Name["overrides.".Length..] : null;
                return field.Value.EnumerateArray().Select(m => m.GetString() ?? "")
                    .Select(m => key is null || m.Contains(key, StringComparison.Ordinal) ? m : $"{key}: {m}");
            });
            return string.Join(" ", messages);
        }

        return exception.Message;
    }

    /// <summary>What went wrong with the last Reproduce, and whether it is the overrides box's to fix.</summary>
    private sealed record ReproduceError(string Message, bool InOverrides);
}
