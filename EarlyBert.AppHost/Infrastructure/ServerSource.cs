namespace EarlyBert.AppHost.Infrastructure;

/// <summary>Where a piece of infrastructure (PostgreSQL, the S3 store) comes from.</summary>
public enum ServerSource
{
    /// <summary>A server the user names with a connection string.</summary>
    External,

    /// <summary>A container started by Aspire on a healthy Docker or Podman.</summary>
    Container,

    /// <summary>A process started by Aspire from the machine's own binaries (no container runtime needed).</summary>
    LocalProcess,
}
