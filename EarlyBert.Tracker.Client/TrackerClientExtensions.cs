using EarlyBert.Tracker.Client.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace EarlyBert.Tracker.Client;

/// <summary>Registration of <see cref="TrackerClient"/>.</summary>
public static class TrackerClientExtensions
{
    /// <summary>The service-discovery address of the tracker resource in the AppHost.</summary>
    public const string DefaultBaseAddress = "http://tracker";

    /// <summary>Name of the HttpClient that carries artifact transfers and event streams.</summary>
    public const string TransfersClientName = "EarlyBert.Tracker.Transfers";

    /// <summary>
    /// Registers <see cref="TrackerClient"/> as a typed HttpClient whose base address is <paramref name="baseAddress"/>
    /// (by default the AppHost's <c>tracker</c> resource, resolved by service discovery). API calls go through the
    /// client defaults (the service defaults' resilience: retries for safe methods, 10 s per attempt, 30 s in all).
    /// Artifact uploads and downloads and event streams go through a second client without those timeouts: a
    /// checkpoint upload or a live subscription lasts as long as it needs, and its caller's token ends it.
    /// Both send <paramref name="apiKey"/> (see <see cref="TrackerApiKey"/>) when one is given.
    /// </summary>
    public static IHttpClientBuilder AddTrackerClient(this IServiceCollection services, string baseAddress = DefaultBaseAddress, string? apiKey = null)
    {
        var address = new Uri(baseAddress.TrimEnd('/') + "/");
        var transfers = services.AddHttpClient(TransfersClientName, client =>
        {
            client.BaseAddress = address;
            client.Timeout = Timeout.InfiniteTimeSpan;
            TrackerApiKey.Apply(client, apiKey);
        });
        // Marked for evaluation, but it is the way to take one client out of ConfigureHttpClientDefaults' resilience.
#pragma warning disable EXTEXP0001
        transfers.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return services.AddHttpClient(nameof(TrackerClient), client =>
            {
                client.BaseAddress = address;
                TrackerApiKey.Apply(client, apiKey);
            })
            .AddTypedClient((http, provider) => new TrackerClient(http, provider.GetRequiredService<IHttpClientFactory>().CreateClient(TransfersClientName)));
    }
}
