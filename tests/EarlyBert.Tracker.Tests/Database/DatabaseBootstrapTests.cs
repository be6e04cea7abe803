using EarlyBert.Tracker.Database;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Database;

/// <summary>Several trackers starting at once against a server that does not have their database yet.</summary>
public sealed class DatabaseBootstrapTests
{
    [Fact]
    public async Task Trackers_starting_together_on_a_fresh_server_all_start_and_the_database_is_created_and_migrated_once()
    {
        var name = $"earlybert_bootstrap_{Guid.NewGuid():N}";
        var connectionString = new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Database = name }.ConnectionString;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{TrackerDatabase.ConnectionName}"] = connectionString })
            .Build();
        var dataSources = Enumerable.Range(0, 6).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            // Released together, so that their probes all find no database and their CREATE DATABASE statements race.
            using var go = new ManualResetEventSlim();
            var starts = dataSources.Select(dataSource => Task.Run(async () =>
            {
                go.Wait();
                var bootstrap = new DatabaseBootstrap(dataSource, configuration,
                    new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance), NullLogger<DatabaseBootstrap>.Instance);
                await bootstrap.StartAsync(CancellationToken.None);
            })).ToList();
            go.Set();
            await Task.WhenAll(starts);

            await using var connection = await dataSources[0].OpenConnectionAsync();
            await using var versions = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations", connection);
            await using var reader = await versions.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.True(reader.GetInt64(0) > 0);
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }

            await using var maintenance = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Database = "postgres", Pooling = false }.ConnectionString);
            await maintenance.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", maintenance);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
