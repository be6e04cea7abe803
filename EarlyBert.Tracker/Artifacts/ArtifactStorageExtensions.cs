using Minio;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>Registration of the artifact store.</summary>
public static class ArtifactStorageExtensions
{
    /// <summary>
    /// Adds the Minio client for the <c>artifacts</c> connection string, the <see cref="ArtifactStore"/>, the
    /// artifact writer and reader, its health check (named <c>s3</c>), the start-up step that creates the bucket and
    /// the background sweep of orphaned objects.
    /// </summary>
    public static IHostApplicationBuilder AddArtifactStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ArtifactStorageOptions>()
            .BindConfiguration(ArtifactStorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<IMinioClient>(services =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var connectionString = configuration.GetConnectionString(ArtifactStorageOptions.ConnectionName)
                ?? throw new InvalidOperationException(
                    $"Connection string '{ArtifactStorageOptions.ConnectionName}' is missing: set ConnectionStrings__{ArtifactStorageOptions.ConnectionName} to 'Endpoint=http://host:port;AccessKey=...;SecretKey=...'.");
            var s3 = S3ConnectionString.Parse(connectionString);
            return new MinioClient()
                .WithEndpoint(s3.Endpoint.Host, s3.Endpoint.Port)
                .WithCredentials(s3.AccessKey, s3.SecretKey)
                .WithSSL(s3.Endpoint.Scheme == Uri.UriSchemeHttps)
                .Build();
        });
        builder.Services.AddSingleton<ArtifactStore>();
        builder.Services.AddSingleton<ArtifactWriter>();
        builder.Services.AddSingleton<ArtifactReader>();
        builder.Services.AddSingleton<ArtifactSweep>();
        builder.Services.AddOptions<ArtifactSweepOptions>()
            .BindConfiguration(TrackerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<ArtifactBucketBootstrap>();
        builder.Services.AddHostedService<ArtifactSweepService>();
        builder.Services.AddHealthChecks().AddCheck<ArtifactStorageHealthCheck>("s3", tags: ["ready"]);
        return builder;
    }
}
