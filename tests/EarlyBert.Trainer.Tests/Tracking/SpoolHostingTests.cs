using EarlyBert.Trainer.Tracking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EarlyBert.Trainer.Tests.Tracking;

public sealed class SpoolHostingTests : SpoolTestBase
{
    [Fact]
    public async Task AddRunSpool_binds_the_Spool_section_and_drains_as_a_hosted_service()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Spool:Directory"] = Root,
                ["Spool:MaxBytes"] = "1048576",
                ["Spool:MaxRetryDelay"] = "00:00:00.020",
            })
            .Build();
        var sink = new FakeTrackerSink();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSingleton<ITrackerSink>(sink)
            .AddRunSpool();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<SpoolOptions>();
        Assert.Equal((Root, 1_048_576L, TimeSpan.FromMilliseconds(20)), (options.Directory, options.MaxBytes, options.MaxRetryDelay));
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        var spool = provider.GetRequiredService<RunSpool>();
        var runId = Guid.NewGuid();

        await hosted.StartAsync(CancellationToken.None);
        var ids = AppendBatches(spool, runId, 5);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await spool.WaitDrainedAsync(runId, timeout.Token);
        }

        await hosted.StopAsync(CancellationToken.None);
        Assert.Equal(ids, sink.Delivered.Select(d => d.BatchId!.Value));
    }
}
