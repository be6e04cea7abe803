using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Trainer.Worker;

/// <summary>How the trainer worker talks to the tracker (configuration section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Worker";

    /// <summary>Base address of the tracker; by default the AppHost's <c>tracker</c> resource.</summary>
    [Required]
    public string TrackerUrl { get; set; } = "http://tracker";

    /// <summary>Id this worker reports under; by default host name and process id.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Time between two heartbeats.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Compute device to train on: <c>auto</c>, <c>cpu</c> or <c>cuda</c>.</summary>
    [Required, RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$")]
    public string Device { get; set; } = "auto";
}
