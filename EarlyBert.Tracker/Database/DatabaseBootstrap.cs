using Npgsql;

namespace EarlyBert.Tracker.Database;

/// <summary>
/// Makes the tracker's database usable before the app serves requests: creates the database when the server
/// does not have it yet (a fresh local or external server), then applies migrations.
/// </summary>
public sealed class DatabaseBootstrap(
    NpgsqlDataSource dataSource,
    IConfiguration configuration,
    MigrationRunner migrations,
    ILogger<DatabaseBootstrap> logger)
    : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureDatabaseExistsAsync(cancellationToken);
        await migrations.ApplyAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureDatabaseExistsAsync(CancellationToken cancellationToken)
    {
        // The data source hides the password, so the maintenance connection is built from configuration.
        var connectionString = configuration.GetConnectionString(TrackerDatabase.ConnectionName)
            ?? throw new InvalidOperationException($"Connection string '{TrackerDatabase.ConnectionName}' is missing.");
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(target.Database))
        {
            return;
        }

        try
        {
            await using var probe = await dataSource.OpenConnectionAsync(cancellationToken);
            return;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            logger.LogInformation("Database {Database} does not exist yet; creating it", target.Database);
        }

        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var quoted = "\"" + target.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var command = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.DuplicateDatabase
            || (exception.SqlState == PostgresErrorCodes.UniqueViolation && exception.ConstraintName == "pg_database_datname_index"))
        {
            // Another tracker created it between our probe and now: after it committed (duplicate database), or while
            // both were creating it (the catalog's unique index refuses the second; several replicas starting at once).
            logger.LogInformation("Database {Database} was created by another tracker meanwhile", target.Database);
        }
    }
}
