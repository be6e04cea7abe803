using System.Net.Http.Headers;
using System.Text;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Tracker.Tests.ApiKeys;

/// <summary>No key reaches the logs, at any level, whatever happens to it.</summary>
public sealed class ApiKeyLoggingTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Keys_never_appear_in_the_logs_at_any_level()
    {
        var logs = new CapturedLogs();
        using var logged = tracker.WithWebHostBuilder(builder => builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddFilter(_ => true);
            logging.AddProvider(logs);
        }));
        var unknown = TrackerApiKey.Generate();
        var admin = new TrackerClient(logged.CreateClient());

        var created = await admin.CreateApiKeyAsync(new CreateApiKey("logged", [ApiKeyScopes.Read]), CancellationToken.None);
        using (var http = logged.CreateClient())
        {
            TrackerApiKey.Apply(http, created.Key);
            (await http.GetAsync("/api/runs")).Dispose();
            (await http.PostAsync("/api/experiments", new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json"))).Dispose();
            TrackerApiKey.Apply(http, unknown);
            (await http.GetAsync("/api/runs")).Dispose();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + created.Key)));
            (await http.GetAsync("/api/2.0/mlflow/experiments/list")).Dispose();
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key[..20]);
            (await http.GetAsync("/api/runs")).Dispose();
        }

        await admin.RevokeApiKeyAsync(created.ApiKey.Id, CancellationToken.None);
        using (var http = logged.CreateClient())
        {
            TrackerApiKey.Apply(http, created.Key);
            (await http.GetAsync("/api/runs")).Dispose();
        }

        var entries = logs.Entries;
        Assert.Contains(entries, e => e.Contains("Created API key", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Contains("was revoked", StringComparison.Ordinal));
        foreach (var key in tracker.Keys.Values.Append(created.Key).Append(unknown))
        {
            // The display prefix (12 characters) may be logged; nothing of the secret after it.
            var secret = key[12..];
            Assert.DoesNotContain(entries, e => e.Contains(secret[..16], StringComparison.Ordinal) || e.Contains(secret[^16..], StringComparison.Ordinal));
        }
    }
}
