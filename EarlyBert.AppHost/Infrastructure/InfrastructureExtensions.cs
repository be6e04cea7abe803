namespace EarlyBert.AppHost.Infrastructure;

/// <summary>The platform's stateful infrastructure, whatever provides it.</summary>
/// <param name="Database">PostgreSQL for the tracker (connection string with the <c>tracker</c> database).</param>
/// <param name="Artifacts">The S3 store for artifacts (connection string <c>Endpoint=…;AccessKey=…;SecretKey=…</c>).</param>
/// <param name="Plan">Where each came from, and why.</param>
public sealed record EarlyBertInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResourceWithConnectionString> Artifacts,
    InfrastructurePlan Plan);

/// <summary>Adds PostgreSQL and the S3 store from connection strings, containers or local processes.</summary>
public static class InfrastructureExtensions
{
    /// <summary>Resource (and connection string) name of the tracker's database.</summary>
    public const string DatabaseName = "trackerdb";

    /// <summary>Resource (and connection string) name of the S3 store.</summary>
    public const string ArtifactsName = "artifacts";

    /// <summary>
    /// Decides where the infrastructure comes from (<see cref="InfrastructureDecision"/>) and adds the resources.
    /// </summary>
    /// <exception cref="InfrastructureUnavailableException">Nothing on this machine can provide it.</exception>
    public static EarlyBertInfrastructure AddEarlyBertInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var options = InfrastructureOptions.From(builder.Configuration, repositoryRoot);

        var plan = InfrastructureDecision.Decide(
            databaseConnectionGiven: !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(DatabaseName)),
            artifactsConnectionGiven: !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ArtifactsName)),
            options.Mode,
            () => ContainerRuntimeProbe.Probe(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]),
            LocalPackages.FindMissing);

        if (plan.Database == ServerSource.LocalProcess || plan.Artifacts == ServerSource.LocalProcess)
        {
            Directory.CreateDirectory(options.StateDirectory!);
        }

        IResourceBuilder<IResourceWithConnectionString> database = plan.Database switch
        {
            ServerSource.External => builder.AddConnectionString(DatabaseName),
            ServerSource.Container => builder.AddPostgres("postgres").WithDataVolume("earlybert-postgres-data")
                .AddDatabase(DatabaseName, LocalPostgresResource.DatabaseName),
            _ => builder.AddLocalPostgres("postgres", options),
        };

        IResourceBuilder<IResourceWithConnectionString> artifacts = plan.Artifacts switch
        {
            ServerSource.External => builder.AddConnectionString(ArtifactsName),
            ServerSource.Container => builder.AddMinioContainer(ArtifactsName),
            _ => builder.AddLocalCephRgw(ArtifactsName, options),
        };

        return new EarlyBertInfrastructure(database, artifacts, plan);
    }
}
