using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Tracker;

/// <summary>Tracker behaviour (configuration section <c>Tracker</c>).</summary>
public sealed class TrackerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Tracker";

    /// <summary>A running run whose last heartbeat is older than this is marked crashed. Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often crash detection looks for silent runs. Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan CrashSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest artifact upload in bytes; a larger body is refused with 413. Default 5 GiB.</summary>
    [Range(1L, long.MaxValue)]
    public long MaxArtifactBytes { get; set; } = 5L * 1024 * 1024 * 1024;
}
