using System.ComponentModel.DataAnnotations;

namespace EarlyBert.Tracker.Events;

/// <summary>Caps on live-update subscribers (configuration section <c>Tracker</c>, beside <see cref="TrackerOptions"/>).</summary>
public sealed class EventStreamOptions
{
    /// <summary>Most event streams open on this tracker at once; more are refused with 503. Default 2,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventSubscribers { get; set; } = 2_000;

    /// <summary>
    /// Most event streams one client (remote IP address) holds at once; more are refused with 429. Default 200: the
    /// dashboard's server is one client holding a stream per open page.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxEventSubscribersPerClient { get; set; } = 200;
}
