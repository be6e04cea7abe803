using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Tracker.Client;

/// <summary>Registration of <see cref="TrackerClient"/>.</summary>
public static class TrackerClientExtensions
{
    /// <summary>The service-discovery address of the tracker resource in the AppHost.</summary>
    public const string DefaultBaseAddress = "http://tracker";

    /// <summary>
    /// Registers <see cref="TrackerClient"/> as a typed HttpClient whose base address is <paramref name="baseAddress"/>
    /// (by default the AppHost's <c>tracker</c> resource, resolved by service discovery).
    /// </summary>
    public static IHttpClientBuilder AddTrackerClient(this IServiceCollection services, string baseAddress = DefaultBaseAddress) =>
        services.AddHttpClient<TrackerClient>(client => client.BaseAddress = new Uri(baseAddress.TrimEnd('/') + "/"));
}
