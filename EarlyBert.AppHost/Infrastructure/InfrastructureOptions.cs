namespace EarlyBert.AppHost.Infrastructure;

/// <summary>Settings of the AppHost's infrastructure (configuration section <c>Infrastructure</c>).</summary>
public sealed class InfrastructureOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Infrastructure";

    /// <summary><c>auto</c> (containers when a runtime is healthy, else local processes), <c>containers</c> or <c>local</c>.</summary>
    public string Mode { get; set; } = InfrastructureDecision.AutoMode;

    /// <summary>
    /// Folder that keeps local-process data between runs (PostgreSQL cluster, Ceph store). Default: the
    /// <c>EARLYBERT_STATE_DIR</c> environment variable, else <c>.earlybert/</c> at the repository root.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Port of the local PostgreSQL server.</summary>
    public int PostgresPort { get; set; } = 15432;

    /// <summary>Port of the local Ceph monitor.</summary>
    public int CephMonitorPort { get; set; } = 16789;

    /// <summary>Port of the local S3 API (Ceph RGW).</summary>
    public int S3Port { get; set; } = 17480;

    /// <summary>Reads the options, resolving the state folder.</summary>
    public static InfrastructureOptions From(IConfiguration configuration, string repositoryRoot)
    {
        var options = new InfrastructureOptions();
        configuration.GetSection(SectionName).Bind(options);
        options.StateDirectory = Path.GetFullPath(
            options.StateDirectory
            ?? configuration["EARLYBERT_STATE_DIR"]
            ?? Path.Combine(repositoryRoot, ".earlybert"));
        return options;
    }
}
