using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace EarlyBert.AppHost.Infrastructure;

/// <summary>
/// PostgreSQL run from the machine's own binaries by <c>Infrastructure/Scripts/postgres.sh</c>, which creates the
/// cluster in the state folder on first start and runs the server as the <c>postgres</c> user when started as root.
/// </summary>
public sealed class LocalPostgresResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    /// <summary>Name of the TCP endpoint.</summary>
    public const string EndpointName = "tcp";

    /// <summary>Database the tracker uses; the tracker creates it when missing.</summary>
    public const string DatabaseName = "tracker";

    /// <summary>Password of the <c>postgres</c> user.</summary>
    public ParameterResource Password { get; } = password;

    /// <summary>The server's endpoint.</summary>
    public EndpointReference Endpoint => new(this, EndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password};Database={DatabaseName}");
}

/// <summary>Adds <see cref="LocalPostgresResource"/> to an AppHost.</summary>
public static class LocalPostgresExtensions
{
    /// <summary>
    /// Adds a local PostgreSQL server that keeps its data in <c>{StateDirectory}/postgres</c> and is healthy once
    /// it accepts a query.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, InfrastructureOptions options)
    {
        var password = builder.AddParameter(
            $"{name}-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        var scripts = ScriptsFolder(builder);
        var resource = new LocalPostgresResource(name, scripts, password.Resource);

        var healthCheckKey = $"{name}-accepts-queries";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheckKey, async cancellationToken =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken);
            // The tracker database may not exist yet (the tracker creates it): ask the maintenance database.
            var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false, Timeout = 3 };
            try
            {
                await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });

        return builder.AddResource(resource)
            .WithArgs(Path.Combine(scripts, "postgres.sh"), options.StateDirectory!, options.PostgresPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("EARLYBERT_POSTGRES_PASSWORD", password)
            .WithEndpoint(port: options.PostgresPort, targetPort: options.PostgresPort, scheme: "tcp", name: LocalPostgresResource.EndpointName, isProxied: false)
            .WithHealthCheck(healthCheckKey);
    }

    internal static string ScriptsFolder(IDistributedApplicationBuilder builder) =>
        Path.Combine(builder.AppHostDirectory, "Infrastructure", "Scripts");
}
