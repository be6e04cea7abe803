using EarlyBert.Tracker.Client;

namespace EarlyBert.Web.Components.Shared;

/// <summary>Which failures of a tracker call a page shows as an error state rather than letting them crash the circuit.</summary>
public static class TrackerErrors
{
    /// <summary>
    /// Whether <paramref name="exception"/> is the tracker answering with an error, being unreachable, or timing out
    /// while <paramref name="cancellationToken"/> (the page's own) was not cancelled.
    /// </summary>
    public static bool IsTrackerFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        TrackerApiException or HttpRequestException => true,
        // HttpClient reports its own timeout as a cancellation; only ours means the page went away.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
