using EarlyBert.Chaos.Infrastructure;

namespace EarlyBert.Chaos.Tests;

/// <summary>
/// One PostgreSQL server of the tests' own (so restarting it disturbs nobody) and a proxy in front of the shared S3
/// of <c>EARLYBERT_TEST_S3</c>, shared by the fault tests; each scenario starts its own tracker and database.
/// </summary>
public sealed class ChaosPlatformFixture : IAsyncLifetime
{
    private ChaosPlatform? platform;

    /// <summary>The started platform.</summary>
    public ChaosPlatform Platform => platform ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        var s3 = Environment.GetEnvironmentVariable("EARLYBERT_TEST_S3") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("EARLYBERT_TEST_S3 is not set: run the tests with ./build.sh test, which starts an S3 server.");
        platform = await ChaosPlatform.StartAsync(s3, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (platform is not null)
        {
            await platform.DisposeAsync();
        }
    }
}

/// <summary>The fault tests share one platform and run one after another (they restart its PostgreSQL).</summary>
[CollectionDefinition(Name)]
public sealed class ChaosCollection : ICollectionFixture<ChaosPlatformFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "chaos";
}
