using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// The S3 gateway (RGW) of a single-node Ceph cluster run from the machine's own binaries. It is a real S3
/// implementation with SigV4 authentication, which the Minio SDK talks to exactly as to MinIO.
/// </summary>
public sealed class CephRgwResource(string name, string workingDirectory, ParameterResource accessKey, ParameterResource secretKey)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    /// <summary>Name of the S3 HTTP endpoint.</summary>
    public const string EndpointName = "http";

    /// <summary>S3 access key id.</summary>
    public ParameterResource AccessKey { get; } = accessKey;

    /// <summary>S3 secret key.</summary>
    public ParameterResource SecretKey { get; } = secretKey;

    /// <summary>The S3 API endpoint.</summary>
    public EndpointReference Endpoint => new(this, EndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Endpoint=http://127.0.0.1:{Endpoint.Property(EndpointProperty.Port)};AccessKey={AccessKey};SecretKey={SecretKey}");
}

/// <summary>Adds a local Ceph cluster (monitor, one OSD, RGW) to an AppHost.</summary>
public static class LocalCephRgwExtensions
{
    /// <summary>
    /// Adds <c>{name}-mon</c>, <c>{name}-osd</c> and the S3 gateway <paramref name="name"/>, started in that order by
    /// <c>Infrastructure/Scripts/ceph.sh</c>, keeping their data in <c>{StateDirectory}/ceph</c>. The returned
    /// gateway is healthy once it answers S3 requests.
    /// </summary>
    public static IResourceBuilder<CephRgwResource> AddLocalCephRgw(
        this IDistributedApplicationBuilder builder, string name, InfrastructureOptions options)
    {
        var scripts = LocalPostgresExtensions.ScriptsFolder(builder);
        var script = Path.Combine(scripts, "ceph.sh");
        var stateDirectory = options.StateDirectory!;
        var monitorPort = options.CephMonitorPort.ToString(CultureInfo.InvariantCulture);

        var monitorHealthKey = $"{name}-mon-listens";
        builder.Services.AddHealthChecks().AddAsyncCheck(monitorHealthKey, async cancellationToken =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", options.CephMonitorPort, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException exception)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });

        var monitor = builder.AddExecutable($"{name}-mon", "bash", scripts, script, "mon", stateDirectory, monitorPort)
            .WithEndpoint(port: options.CephMonitorPort, targetPort: options.CephMonitorPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithHealthCheck(monitorHealthKey);

        var osd = builder.AddExecutable($"{name}-osd", "bash", scripts, script, "osd", stateDirectory, monitorPort)
            .WaitFor(monitor);

        var accessKey = builder.AddParameter(
            $"{name}-access-key", new GenerateParameterDefault { MinLength = 20, Lower = false, Special = false }, secret: true, persist: true);
        var secretKey = builder.AddParameter(
            $"{name}-secret-key", new GenerateParameterDefault { MinLength = 40, Special = false }, secret: true, persist: true);

        var gateway = new CephRgwResource(name, scripts, accessKey.Resource, secretKey.Resource);
        return builder.AddResource(gateway)
            .WithArgs(script, "rgw", stateDirectory, monitorPort, options.S3Port.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("EARLYBERT_S3_ACCESS_KEY", accessKey)
            .WithEnvironment("EARLYBERT_S3_SECRET_KEY", secretKey)
            .WithHttpEndpoint(port: options.S3Port, targetPort: options.S3Port, name: CephRgwResource.EndpointName, isProxied: false)
            .WithHttpHealthCheck("/", endpointName: CephRgwResource.EndpointName)
            .WaitFor(osd);
    }
}
