using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Events;

namespace EarlyBert.Tracker.Events;

/// <summary>
/// How run events travel between tracker replicas: one PostgreSQL <c>NOTIFY</c> channel, one JSON payload per
/// event, each within PostgreSQL's 8,000-byte payload limit.
/// </summary>
internal static class RunEventNotifications
{
    /// <summary>The PostgreSQL channel every replica publishes to and listens on.</summary>
    public const string Channel = "earlybert_run_events";

    /// <summary>
    /// Largest payload sent, in bytes: PostgreSQL refuses more than 8,000 (less its own framing); a margin keeps
    /// the check exact without knowing that framing.
    /// </summary>
    public const int MaxPayloadBytes = 7_900;

    /// <summary>
    /// Cuts <paramref name="runEvent"/> into events whose payloads fit: a metrics event of many keys becomes
    /// several metrics events, each with some of the keys. Every replica's subscribers see the same pieces.
    /// </summary>
    public static IEnumerable<(RunEvent Event, string Payload)> Encode(RunEvent runEvent, Guid origin, Func<long> nextSequence)
    {
        var payload = Serialize(new RunEventEnvelope(origin, nextSequence(), runEvent));
        if (Encoding.UTF8.GetByteCount(payload) <= MaxPayloadBytes)
        {
            yield return (runEvent, payload);
            yield break;
        }

        if (runEvent.Metrics is { Count: > 1 } metrics)
        {
            var half = metrics.Count / 2;
            var pieces = Encode(runEvent with { Metrics = metrics.Take(half).ToList() }, origin, nextSequence)
                .Concat(Encode(runEvent with { Metrics = metrics.Skip(half).ToList() }, origin, nextSequence));
            foreach (var piece in pieces)
            {
                yield return piece;
            }

            yield break;
        }

        // Keys are bounded far below the limit, so this is defensive: the event still says which run changed.
        var bare = runEvent with { Metrics = null };
        yield return (bare, Serialize(new RunEventEnvelope(origin, nextSequence(), bare)));
    }

    /// <summary>Reads a payload; null when it is not one of ours (another program may notify on the channel).</summary>
    public static RunEventEnvelope? Decode(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize(payload, RunEventsJsonContext.Default.RunEventEnvelope);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Serialize(RunEventEnvelope envelope) =>
        JsonSerializer.Serialize(envelope, RunEventsJsonContext.Default.RunEventEnvelope);
}

/// <summary>A run event as notified: which replica sent it (it skips its own) and a number that keeps every
/// payload distinct (PostgreSQL folds identical payloads of one transaction into one).</summary>
internal sealed record RunEventEnvelope(Guid Origin, long Sequence, RunEvent Event);

/// <summary>The same JSON shape as the API's events (web names, NaN as a string).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunEventEnvelope))]
internal sealed partial class RunEventsJsonContext : JsonSerializerContext;
