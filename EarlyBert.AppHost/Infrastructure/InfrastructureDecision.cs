namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// Chooses where PostgreSQL and the S3 store come from: connection strings the user gave win; otherwise containers
/// on a healthy container runtime; otherwise local processes from the machine's binaries. The probes are passed in
/// so the decision is testable and only asks what it needs (no runtime probe when everything is external).
/// </summary>
public static class InfrastructureDecision
{
    /// <summary>Value of <c>Infrastructure:Mode</c> that lets the decision choose.</summary>
    public const string AutoMode = "auto";

    /// <summary>Value of <c>Infrastructure:Mode</c> that forces containers.</summary>
    public const string ContainersMode = "containers";

    /// <summary>Value of <c>Infrastructure:Mode</c> that forces local processes.</summary>
    public const string LocalMode = "local";

    /// <summary>Makes the decision.</summary>
    /// <param name="databaseConnectionGiven">The user configured the database connection string.</param>
    /// <param name="artifactsConnectionGiven">The user configured the S3 connection string.</param>
    /// <param name="mode"><c>auto</c>, <c>containers</c> or <c>local</c>.</param>
    /// <param name="probeContainerRuntime">Asks Docker/Podman whether they work (called at most once).</param>
    /// <param name="findMissingLocalPackages">Lists the OS packages missing for local processes (called at most once).</param>
    /// <exception cref="InfrastructureUnavailableException">Nothing on this machine can provide what is needed.</exception>
    public static InfrastructurePlan Decide(
        bool databaseConnectionGiven,
        bool artifactsConnectionGiven,
        string mode,
        Func<ContainerRuntimeStatus> probeContainerRuntime,
        Func<IReadOnlyList<string>> findMissingLocalPackages)
    {
        if (databaseConnectionGiven && artifactsConnectionGiven)
        {
            return new InfrastructurePlan(ServerSource.External, ServerSource.External, "Both connection strings are configured.");
        }

        ServerSource provided;
        string reason;
        switch (mode.Trim().ToLowerInvariant())
        {
            case ContainersMode:
                provided = ServerSource.Container;
                reason = "Infrastructure:Mode is 'containers'.";
                break;
            case LocalMode:
                provided = ServerSource.LocalProcess;
                reason = "Infrastructure:Mode is 'local'.";
                break;
            case AutoMode:
                var runtime = probeContainerRuntime();
                provided = runtime.IsHealthy ? ServerSource.Container : ServerSource.LocalProcess;
                reason = runtime.IsHealthy
                    ? $"A container runtime is healthy ({runtime.Description})."
                    : $"No healthy container runtime ({runtime.Description}): using local processes.";
                break;
            default:
                throw new InfrastructureUnavailableException(
                    $"Infrastructure:Mode is '{mode}', but it must be '{AutoMode}', '{ContainersMode}' or '{LocalMode}'.");
        }

        if (provided == ServerSource.LocalProcess)
        {
            var missing = findMissingLocalPackages();
            if (missing.Count > 0)
            {
                throw new InfrastructureUnavailableException(
                    $"EarlyBert runs PostgreSQL and Ceph RGW (S3) as local processes here, but {string.Join(", ", missing)} "
                    + $"{(missing.Count == 1 ? "is" : "are")} not installed. Install with: sudo apt-get install -y {string.Join(' ', missing)} "
                    + "(./build.sh run does it for you), or start Docker, or give ConnectionStrings__trackerdb and ConnectionStrings__artifacts.");
            }
        }

        return new InfrastructurePlan(
            databaseConnectionGiven ? ServerSource.External : provided,
            artifactsConnectionGiven ? ServerSource.External : provided,
            reason);
    }
}
