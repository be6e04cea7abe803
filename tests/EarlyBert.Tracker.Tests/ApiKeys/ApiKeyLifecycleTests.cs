using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Infrastructure;
using Npgsql;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>Key management through the API: create, use, list, revoke, and what is stored.</summary>
public sealed class ApiKeyLifecycleTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Created_key_works_is_listed_with_last_use_and_no_secret_and_is_refused_once_revoked()
    {
        var admin = tracker.Client();
        var created = await admin.CreateApiKeyAsync(new CreateApiKey("ci-runner", [ApiKeyScopes.Write, ApiKeyScopes.Read]), CancellationToken.None);
        Assert.True(TrackerApiKey.IsWellFormed(created.Key));
        Assert.Equal(created.Key[..12], created.ApiKey.Prefix);
        Assert.Equal(["read", "write"], created.ApiKey.Scopes);
        Assert.Equal("api", created.ApiKey.Source);
        Assert.Null(created.ApiKey.LastUsedAt);

        using var http = tracker.CreateAnonymousClient();
        TrackerApiKey.Apply(http, created.Key);
        using var used = await http.PostAsJsonAsync("/api/experiments", new { name = $"exp-{Guid.NewGuid():N}" });
        Assert.Equal(HttpStatusCode.Created, used.StatusCode);

        // The use is written in the background, without holding up the request.
        ApiKeyInfo? listed = null;
        for (var attempt = 0; attempt < 50 && listed?.LastUsedAt is null; attempt++)
        {
            listed = (await admin.ListApiKeysAsync(CancellationToken.None)).Single(k => k.Id == created.ApiKey.Id);
            await Task.Delay(100);
        }

        Assert.Equal(tracker.Time.GetUtcNow(), listed!.LastUsedAt);
        Assert.Null(listed.RevokedAt);
        using (var admins = tracker.CreateClient())
        {
            var text = await admins.GetStringAsync("/api/keys");
            Assert.DoesNotContain(created.Key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(tracker.AdminKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        }

        await admin.RevokeApiKeyAsync(created.ApiKey.Id, CancellationToken.None);
        using var refused = await http.GetAsync("/api/runs");
        var problem = await refused.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.StartsWith($"API key {created.ApiKey.Prefix}… was revoked", problem.GetProperty("detail").GetString());
        Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.NotNull((await admin.ListApiKeysAsync(CancellationToken.None)).Single(k => k.Id == created.ApiKey.Id).RevokedAt);
    }

    [Fact]
    public async Task Database_holds_only_hashes_of_keys_and_never_their_text()
    {
        var admin = tracker.Client();
        var created = await admin.CreateApiKeyAsync(new CreateApiKey("scan", [ApiKeyScopes.Read]), CancellationToken.None);

        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT t::text, encode(hash, 'hex') FROM api_keys t", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string Text, string Hash)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        Assert.True(rows.Count >= 4, $"{rows.Count} rows");
        foreach (var key in tracker.Keys.Values.Append(created.Key))
        {
            // Neither the key nor its secret part, in any column, also not in base64 or as hex of its bytes.
            Assert.All(rows, row =>
            {
                Assert.DoesNotContain(key[12..], row.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(key)), row.Text, StringComparison.Ordinal);
            });
            Assert.Contains(rows, row => row.Hash == Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        }
    }

    [Fact]
    public async Task Bad_creations_are_400_and_an_unknown_revocation_is_404()
    {
        using var http = tracker.CreateClient();

        using var noName = await http.PostAsJsonAsync("/api/keys", new { name = " ", scopes = new[] { "read" } });
        using var badScope = await http.PostAsJsonAsync("/api/keys", new { name = "x", scopes = new[] { "root" } });
        using var noScope = await http.PostAsJsonAsync("/api/keys", new { name = "x", scopes = Array.Empty<string>() });
        using var unknown = await http.DeleteAsync($"/api/keys/{Guid.NewGuid()}");

        Assert.True((await noName.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("name", out _));
        Assert.True((await badScope.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("scopes", out _));
        Assert.True((await noScope.AssertProblemAsync(HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("scopes", out _));
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(3, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE source = 'configuration'"));
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE name = 'x'"));
    }
}
