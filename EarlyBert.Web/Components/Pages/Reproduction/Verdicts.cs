using EarlyBert.Tracker.Client.Runs;
using MudBlazor;

namespace EarlyBert.Web.Components.Pages.Reproduction;

/// <summary>How a reproduction's verdict reads at a glance: its colour and, for a run still going, what to say instead.</summary>
public static class Verdicts
{
    /// <summary>What a reproduction without a verdict yet shows (it is queued or training).</summary>
    public const string Pending = "not judged yet";

    /// <summary>
    /// Green for <c>identical</c>, blue for <c>within tolerance</c>, red for <c>diverged at step N</c>, orange for
    /// <c>not reproduced</c> (it never ran to the end, which says nothing about the numbers), grey while pending.
    /// </summary>
    public static Color ColorOf(string? verdict) => verdict switch
    {
        ReproductionVerdicts.Identical => Color.Success,
        ReproductionVerdicts.WithinTolerance => Color.Info,
        ReproductionVerdicts.NotReproduced => Color.Warning,
        { } diverged when diverged.StartsWith(ReproductionVerdicts.DivergedPrefix, StringComparison.Ordinal) => Color.Error,
        _ => Color.Default,
    };

    /// <summary>The alert severity matching <see cref="ColorOf"/>.</summary>
    public static Severity SeverityOf(string? verdict) => ColorOf(verdict) switch
    {
        Color.Success => Severity.Success,
        Color.Info => Severity.Info,
        Color.Warning => Severity.Warning,
        Color.Error => Severity.Error,
        _ => Severity.Normal,
    };

    /// <summary>The verdict's words, or <see cref="Pending"/>.</summary>
    public static string Label(string? verdict) => string.IsNullOrEmpty(verdict) ? Pending : verdict;
}
