using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>The artifact sweep's settings (in the <c>Tracker</c> configuration section with the tracker's other settings).</summary>
public sealed class ArtifactSweepOptions
{
    /// <summary>How often the sweep looks for orphaned objects and unfinished uploads (<c>Tracker:ArtifactSweepInterval</c>). Default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ArtifactSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How old an upload, an unfinished multipart upload or an unreferenced object must be before the sweep removes it
    /// (<c>Tracker:ArtifactSweepGrace</c>); an upload that takes longer than this fails. Default 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan ArtifactSweepGrace { get; set; } = TimeSpan.FromDays(1);
}
