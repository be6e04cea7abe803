using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using EarlyBert.Tracker.Client.Events;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Events;

/// <summary>Server-sent event streams of run status changes and new metric points, for dashboards.</summary>
public static class EventsApi
{
    /// <summary>Event type of the first event of every stream, sent once the subscription is live.</summary>
    public const string Ready = "ready";

    /// <summary>Maps <c>/api/events</c> and <c>/api/runs/{runId}/events</c>.</summary>
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", (RunEventBroadcaster events, TimeProvider time, CancellationToken cancellationToken) =>
                Stream(events, time, null, cancellationToken))
            .WithName("WatchAllRuns")
            .WithSummary("Streams status changes and metric updates of every run (text/event-stream).")
            .WithTags("Events");
        app.MapGet("/api/runs/{runId:guid}/events", (Guid runId, RunEventBroadcaster events, TimeProvider time, CancellationToken cancellationToken) =>
                Stream(events, time, runId, cancellationToken))
            .WithName("WatchRun")
            .WithSummary("Streams status changes and metric updates of one run (text/event-stream).")
            .WithTags("Events");
        return app;
    }

    private static ServerSentEventsResult<RunEvent> Stream(RunEventBroadcaster events, TimeProvider time, Guid? runId, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Items(events.Subscribe(runId), time, runId, cancellationToken));

    private static async IAsyncEnumerable<SseItem<RunEvent>> Items(
        RunEventBroadcaster.Subscription subscription, TimeProvider time, Guid? runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            // Subscribed before this first event goes out, so a client that has seen "ready" misses nothing after it.
            yield return new SseItem<RunEvent>(new RunEvent(Ready, runId ?? Guid.Empty, null, null, time.GetUtcNow()), Ready);
            await foreach (var runEvent in subscription.ReadAllAsync(cancellationToken))
            {
                yield return new SseItem<RunEvent>(runEvent, runEvent.Type);
            }
        }
    }
}
