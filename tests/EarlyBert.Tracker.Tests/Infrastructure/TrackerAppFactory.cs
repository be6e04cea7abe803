using EarlyBert.Tracker.Artifacts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EarlyBert.Tracker.Tests.Infrastructure;

/// <summary>
/// The tracker in-process, on a fresh database and a fresh bucket of the real test servers, with a clock the
/// tests control. One instance is shared by a test class or collection.
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

    public async Task InitializeAsync() => databaseConnectionString = await TestServers.CreateDatabaseAsync("tracker_test");

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:tracker", databaseConnectionString);
        builder.UseSetting("ConnectionStrings:artifacts", TestServers.S3);
        builder.UseSetting($"{ArtifactStorageOptions.SectionName}:Bucket", Bucket);
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }
}
