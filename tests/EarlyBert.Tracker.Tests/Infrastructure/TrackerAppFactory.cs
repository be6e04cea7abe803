using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Client.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EarlyBert.Tracker.Tests.Infrastructure;

/// <summary>
/// The tracker in-process, on a fresh database and a fresh bucket of the real test servers, with a clock the
/// tests control. One instance is shared by a test class or collection. It is configured with one API key per scope
/// (<c>Tracker:ApiKeys</c>); its clients send the admin key unless a test asks for another or for none.
/// </summary>
public sealed class TrackerAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private string databaseConnectionString = "";

    /// <summary>The tracker's clock; starts at a fixed instant.</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Connection string of this factory's own database.</summary>
    public string DatabaseConnectionString => databaseConnectionString;

    /// <summary>This factory's own artifact bucket.</summary>
    public string Bucket { get; } = TestServers.UniqueBucketName();

    /// <summary>The configured key of each scope, by scope (configuration names <c>tests-read</c>, <c>tests-write</c>, <c>tests-admin</c>).</summary>
    public IReadOnlyDictionary<string, string> Keys { get; } = ApiKeyScopes.All.ToDictionary(scope => scope, _ => TrackerApiKey.Generate());

    /// <summary>The admin key that <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/> clients send.</summary>
    public string AdminKey => Keys[ApiKeyScopes.Admin];

    public async Task InitializeAsync() => databaseConnectionString = await TestServers.CreateDatabaseAsync("tracker_test");

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>A client that sends the configured key of <paramref name="scope"/>.</summary>
    public HttpClient CreateClient(string scope)
    {
        var client = CreateClient();
        TrackerApiKey.Apply(client, Keys[scope]);
        return client;
    }

    /// <summary>A client that sends no key.</summary>
    public HttpClient CreateAnonymousClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = null;
        return client;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        TrackerApiKey.Apply(client, AdminKey);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:tracker", databaseConnectionString);
        builder.UseSetting("ConnectionStrings:artifacts", TestServers.S3);
        builder.UseSetting($"{ArtifactStorageOptions.SectionName}:Bucket", Bucket);
        foreach (var (scope, key) in Keys)
        {
            builder.UseSetting($"Tracker:ApiKeys:tests-{scope}:Key", key);
            builder.UseSetting($"Tracker:ApiKeys:tests-{scope}:Scopes", scope);
        }

        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
