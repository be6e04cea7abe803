using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using EarlyBert.Tracker.Client.Events;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace EarlyBert.Tracker.Events;

/// <summary>Server-sent event streams of run status changes and new metric points, for dashboards.</summary>
public static class EventsApi
{
    /// <summary>Event type of the first event of every stream, sent once the subscription is live.</summary>
    public const string Ready = "ready";

    /// <summary>Maps <c>/api/events</c> and <c>/api/runs/{runId}/events</c>.</summary>
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/events", ([AsParameters] StreamServices services, CancellationToken cancellationToken) =>
                Stream(services, null, cancellationToken))
            .WithName("WatchAllRuns")
            .WithSummary("Streams status changes and metric updates of every run (text/event-stream).")
            .WithTags("Events");
        app.MapGet("/api/runs/{runId:guid}/events", (Guid runId, [AsParameters] StreamServices services, CancellationToken cancellationToken) =>
                Stream(services, runId, cancellationToken))
            .WithName("WatchRun")
            .WithSummary("Streams status changes and metric updates of one run (text/event-stream).")
            .WithTags("Events");
        return app;
    }

    private static Results<ServerSentEventsResult<RunEvent>, ProblemHttpResult> Stream(StreamServices services, Guid? runId, CancellationToken cancellationToken)
    {
        var (lease, refusal) = services.Gate.TryEnter(services.Context.Connection.RemoteIpAddress);
        if (lease is null)
        {
            var limits = services.Options.Value;
            // Streams end when their clients leave; a few seconds is a fair first guess for a retry.
            services.Context.Response.Headers.RetryAfter = "5";
            return refusal == EventSubscriberGate.Refusal.ClientFull
                ? TypedResults.Problem(
                    $"This client already holds {limits.MaxEventSubscribersPerClient} event streams (Tracker:MaxEventSubscribersPerClient); close one first.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many event streams")
                : TypedResults.Problem(
                    $"The tracker already serves {limits.MaxEventSubscribers} event streams (Tracker:MaxEventSubscribers); try again later.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Event streams full");
        }

        var subscription = services.Events.Subscribe(runId);
        // Released when the request ends, however it ends (even if the stream never started).
        services.Context.Response.RegisterForDispose(subscription);
        services.Context.Response.RegisterForDispose(lease);
        return TypedResults.ServerSentEvents(Items(subscription, services.Time, runId, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<RunEvent>> Items(
        RunEventBroadcaster.Subscription subscription, TimeProvider time, Guid? runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Subscribed before this first event goes out, so a client that has seen "ready" misses nothing after it.
        yield return new SseItem<RunEvent>(new RunEvent(Ready, runId ?? Guid.Empty, null, null, time.GetUtcNow()), Ready);
        await foreach (var runEvent in subscription.ReadAllAsync(cancellationToken))
        {
            yield return new SseItem<RunEvent>(runEvent, runEvent.Type);
        }
    }

    internal readonly record struct StreamServices(
        HttpContext Context, RunEventBroadcaster Events, EventSubscriberGate Gate, IOptions<EventStreamOptions> Options, TimeProvider Time);
}
