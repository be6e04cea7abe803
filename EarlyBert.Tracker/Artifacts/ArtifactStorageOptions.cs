using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>Where artifacts are kept (configuration section <c>Artifacts</c>).</summary>
public sealed class ArtifactStorageOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Artifacts";

    /// <summary>Name of the connection string that describes the S3 server.</summary>
    public const string ConnectionName = "artifacts";

    /// <summary>Bucket that holds every run's artifacts; created at start-up when missing.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "Bucket names are 3-63 lowercase letters, digits, dots and hyphens.")]
    public string Bucket { get; set; } = "earlybert-artifacts";
}
