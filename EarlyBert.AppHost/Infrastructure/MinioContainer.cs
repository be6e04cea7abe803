namespace EarlyBert.AppHost.Infrastructure;

/// <summary>A MinIO server in a container: the S3 store where a container runtime is available.</summary>
public sealed class MinioContainerResource(string name, ParameterResource rootUser, ParameterResource rootPassword)
    : ContainerResource(name), IResourceWithConnectionString
{
    /// <summary>Name of the S3 API endpoint.</summary>
    public const string EndpointName = "http";

    /// <summary>Access key (MinIO root user).</summary>
    public ParameterResource RootUser { get; } = rootUser;

    /// <summary>Secret key (MinIO root password).</summary>
    public ParameterResource RootPassword { get; } = rootPassword;

    /// <summary>The S3 API endpoint.</summary>
    public EndpointReference Endpoint => new(this, EndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint=http://{Endpoint.Property(EndpointProperty.Host)}:{Endpoint.Property(EndpointProperty.Port)};AccessKey={RootUser};SecretKey={RootPassword}");
}

/// <summary>Adds <see cref="MinioContainerResource"/> to an AppHost.</summary>
public static class MinioContainerExtensions
{
    /// <summary>Pinned image tag, so every machine runs the same server.</summary>
    public const string ImageTag = "RELEASE.2025-04-22T22-12-26Z";

    /// <summary>Adds MinIO with a data volume, its console on a second endpoint, and a liveness health check.</summary>
    public static IResourceBuilder<MinioContainerResource> AddMinioContainer(this IDistributedApplicationBuilder builder, string name)
    {
        var rootUser = builder.AddParameter(
            $"{name}-root-user", new GenerateParameterDefault { MinLength = 20, Lower = false, Special = false }, secret: true, persist: true);
        var rootPassword = builder.AddParameter(
            $"{name}-root-password", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

        return builder.AddResource(new MinioContainerResource(name, rootUser.Resource, rootPassword.Resource))
            .WithImage("minio/minio", ImageTag)
            .WithImageRegistry("docker.io")
            .WithArgs("server", "/data", "--console-address", ":9001")
            .WithEnvironment("MINIO_ROOT_USER", rootUser)
            .WithEnvironment("MINIO_ROOT_PASSWORD", rootPassword)
            .WithHttpEndpoint(targetPort: 9000, name: MinioContainerResource.EndpointName)
            .WithHttpEndpoint(targetPort: 9001, name: "console")
            .WithVolume($"earlybert-{name}-data", "/data")
            .WithHttpHealthCheck("/minio/health/live", endpointName: MinioContainerResource.EndpointName);
    }
}
