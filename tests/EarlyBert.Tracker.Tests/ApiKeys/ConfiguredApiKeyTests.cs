using System.Net;
using System.Security.Cryptography;
using System.Text;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>Platform keys from <c>Tracker:ApiKeys</c>: stored as hashes at start, replaced when changed, revoked when removed, checked before start.</summary>
public sealed class ConfiguredApiKeyTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Configured_key_works_a_changed_key_replaces_its_hash_and_a_removed_one_is_revoked()
    {
        var first = TrackerApiKey.Generate();
        var second = TrackerApiKey.Generate();

        using (var withFirst = Configure(("rotating", first, "read, write")))
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(withFirst, first));
        }

        var id = await ScalarAsync<Guid>("SELECT id FROM api_keys WHERE name = 'rotating'");
        Assert.Equal(Sha256(first), await ScalarAsync<byte[]>("SELECT hash FROM api_keys WHERE name = 'rotating'"));
        Assert.Equal(["read", "write"], await ScalarAsync<string[]>("SELECT scopes FROM api_keys WHERE name = 'rotating'"));

        using (var withSecond = Configure(("rotating", second, "admin")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(withSecond, first));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(withSecond, second));
        }

        Assert.Equal(1, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE name = 'rotating'"));
        Assert.Equal(id, await ScalarAsync<Guid>("SELECT id FROM api_keys WHERE name = 'rotating'"));
        Assert.Equal(Sha256(second), await ScalarAsync<byte[]>("SELECT hash FROM api_keys WHERE name = 'rotating'"));
        Assert.Equal(["admin"], await ScalarAsync<string[]>("SELECT scopes FROM api_keys WHERE name = 'rotating'"));

        using (var without = Configure())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(without, second));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(without, tracker.AdminKey));
        }

        Assert.Equal(1, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE name = 'rotating' AND revoked_at IS NOT NULL"));
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE name LIKE 'tests-%' AND revoked_at IS NOT NULL"));
    }

    [Theory]
    [InlineData("ebk_tooShort", "read", "Tracker:ApiKeys:broken:Key is not a well-formed API key")]
    [InlineData(null, "read,owner", "Tracker:ApiKeys:broken:Scopes has the unknown scope 'owner'")]
    [InlineData(null, " , ", "Tracker:ApiKeys:broken:Scopes is empty")]
    public void Tracker_refuses_to_start_with_a_bad_configured_key_and_names_the_setting_not_the_key(string? key, string scopes, string message)
    {
        key ??= "ebk_" + new string('k', 39) + "SeCr";
        using var broken = Configure(("broken", key, scopes));

        var failure = Assert.ThrowsAny<Exception>(() => broken.CreateClient());

        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key, failure.ToString(), StringComparison.Ordinal);
    }

    private WebApplicationFactory<Program> Configure(params (string Name, string Key, string Scopes)[] keys) =>
        tracker.WithWebHostBuilder(builder =>
        {
            foreach (var (name, key, scopes) in keys)
            {
                builder.UseSetting($"Tracker:ApiKeys:{name}:Key", key);
                builder.UseSetting($"Tracker:ApiKeys:{name}:Scopes", scopes);
            }
        });

    private static async Task<HttpStatusCode> StatusAsync(WebApplicationFactory<Program> factory, string key)
    {
        using var http = factory.CreateClient();
        TrackerApiKey.Apply(http, key);
        using var response = await http.GetAsync("/api/runs");
        return response.StatusCode;
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static byte[] Sha256(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
