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

    /// <summary>Time between two heartbeats of a run in training (the tracker's crash timeout is 60 s by default).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RunHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait before asking again when no run is queued.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When the tracker holds no run at all on first start, queue the <c>quickstart</c> preset.</summary>
    public bool QueueQuickstartWhenEmpty { get; set; } = true;

    /// <summary>Folder for the runs' checkpoints, logs and final models (default <c>~/.cache/earlybert/runs</c>).</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Compute device to train on: <c>auto</c>, <c>cpu</c> or <c>cuda</c>.</summary>
    [Required, RegularExpression("^(auto|cpu|cuda(:[0-9]+)?)$")]
    public string Device { get; set; } = "auto";
}
