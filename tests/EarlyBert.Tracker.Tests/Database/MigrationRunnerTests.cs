using EarlyBert.Tracker.Database;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Database;

public class MigrationRunnerTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_once_and_a_second_run_changes_nothing()
    {
        var connectionString = await TestServers.CreateDatabaseAsync("migrations_test");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance);

        await runner.ApplyAsync(CancellationToken.None);
        var appliedFirst = await AppliedVersionsAsync(dataSource);
        await runner.ApplyAsync(CancellationToken.None);
        var appliedSecond = await AppliedVersionsAsync(dataSource);

        Assert.Equal(MigrationRunner.LoadMigrations().Select(m => m.Version), appliedFirst);
        Assert.Equal(appliedFirst, appliedSecond);
    }

    [Fact]
    public async Task Concurrent_start_ups_apply_each_migration_exactly_once()
    {
        var connectionString = await TestServers.CreateDatabaseAsync("migrations_race");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None)));

        Assert.Equal(MigrationRunner.LoadMigrations().Select(m => m.Version), await AppliedVersionsAsync(dataSource));
    }

    private static async Task<List<string>> AppliedVersionsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<string>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetString(0));
        }

        return versions;
    }
}
