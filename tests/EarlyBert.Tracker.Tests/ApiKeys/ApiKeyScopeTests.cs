using System.Net;
using System.Net.Http.Json;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>read &lt; write &lt; admin: what each configured key may and may not do, and how a refusal reads.</summary>
public sealed class ApiKeyScopeTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Read_key_reads_and_gets_403_naming_the_missing_scope_on_a_write()
    {
        using var read = tracker.CreateClient(ApiKeyScopes.Read);

        using var list = await read.GetAsync("/api/runs");
        using var head = await read.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/workers"));
        var name = $"exp-{Guid.NewGuid():N}";
        using var write = await read.PostAsJsonAsync("/api/experiments", new { name });

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, head.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, head.StatusCode);
        var problem = await write.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("This key has scope read; POST needs write.", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM experiments WHERE name = $1", name));
    }

    [Fact]
    public async Task Write_key_writes_and_gets_403_on_key_management()
    {
        using var write = tracker.CreateClient(ApiKeyScopes.Write);

        using var created = await write.PostAsJsonAsync("/api/experiments", new { name = $"exp-{Guid.NewGuid():N}" });
        using var keys = await write.GetAsync("/api/keys");
        using var newKey = await write.PostAsJsonAsync("/api/keys", new CreateApiKey("escalation", [ApiKeyScopes.Admin]));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var problem = await keys.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("This key has scope write; GET /api/keys needs admin.", problem.GetProperty("detail").GetString());
        await newKey.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM api_keys WHERE name = 'escalation'"));
    }

    [Fact]
    public async Task Admin_key_does_everything()
    {
        using var admin = tracker.CreateClient(ApiKeyScopes.Admin);

        using var runs = await admin.GetAsync("/api/runs");
        using var created = await admin.PostAsJsonAsync("/api/experiments", new { name = $"exp-{Guid.NewGuid():N}" });
        using var keys = await admin.GetAsync("/api/keys");

        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
    }

    [Fact]
    public async Task Other_authorization_schemes_and_keys_without_the_prefix_are_refused_with_what_was_wrong()
    {
        using var anonymous = tracker.CreateAnonymousClient();

        async Task<string?> DetailAsync(string header)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await anonymous.SendAsync(request);
            return (await response.AssertProblemAsync(HttpStatusCode.Unauthorized)).GetProperty("detail").GetString();
        }

        Assert.StartsWith("No API key", await DetailAsync(""));
        Assert.StartsWith("The Authorization header is neither", await DetailAsync("Digest abc"));
        Assert.StartsWith("The API key is malformed", await DetailAsync("Bearer " + tracker.AdminKey[4..]));
        Assert.Equal("Unknown API key.", await DetailAsync("Bearer " + TrackerApiKey.Generate()));
        // Same prefix, other secret: found by its prefix, refused by its hash.
        Assert.Equal("Unknown API key.", await DetailAsync("Bearer " + tracker.AdminKey[..12] + TrackerApiKey.Generate()[12..]));
    }
}
