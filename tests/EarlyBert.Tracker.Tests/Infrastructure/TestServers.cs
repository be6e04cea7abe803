using Npgsql;

namespace EarlyBert.Tracker.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL and S3 servers the tests run against. <c>./build.sh test</c> (and so CI) starts them with
/// the AppHost's own scripts and passes their connection strings in <c>EARLYBERT_TEST_POSTGRES</c> and
/// <c>EARLYBERT_TEST_S3</c>.
/// </summary>
public static class TestServers
{
    /// <summary>Connection string of the PostgreSQL server (no database: each fixture creates its own).</summary>
    public static string Postgres => Required("EARLYBERT_TEST_POSTGRES");

    /// <summary>Connection string of the S3 server: <c>Endpoint=…;AccessKey=…;SecretKey=…</c>.</summary>
    public static string S3 => Required("EARLYBERT_TEST_S3");

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    /// <summary>A bucket name no other test uses.</summary>
    public static string UniqueBucketName() => $"test-{Guid.NewGuid():N}";

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. These tests need real PostgreSQL and S3 servers: run them with ./build.sh test, which starts both.");
}
