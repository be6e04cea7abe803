using System.Collections.Concurrent;
using System.Diagnostics;

namespace EarlyBert.Chaos.Scenarios;

/// <summary>What one scenario injected, sent, found stored and saw answered.</summary>
public sealed class Tally(string scenario)
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> latencies = new();
    private readonly ConcurrentQueue<string> failures = new();
    private readonly ConcurrentQueue<string> notes = new();
    private long faults, pointsSent, pointsStored, lost, duplicated, malformed, outage503, other5xx, connectionErrors, retries;
    private volatile bool outage;
    private long outageGraceUntil;

    /// <summary>Scenario name.</summary>
    public string Scenario => scenario;

    /// <summary>Faults injected.</summary>
    public long Faults => Interlocked.Read(ref faults);

    /// <summary>Metric points the writers had acknowledged by the end.</summary>
    public long PointsSent => Interlocked.Read(ref pointsSent);

    /// <summary>Points found in PostgreSQL.</summary>
    public long PointsStored => Interlocked.Read(ref pointsStored);

    /// <summary>Points sent but not stored (or stored with another value).</summary>
    public long Lost => Interlocked.Read(ref lost);

    /// <summary>Points stored more than once, or a retry refused as a repeated step.</summary>
    public long Duplicated => Interlocked.Read(ref duplicated);

    /// <summary>Malformed requests that got an answer.</summary>
    public long MalformedSent => Interlocked.Read(ref malformed);

    /// <summary>503 answers while an outage was declared (expected).</summary>
    public long Outage503 => Interlocked.Read(ref outage503);

    /// <summary>5xx answers outside a declared outage, and every 5xx other than 503 (failures).</summary>
    public long Other5xx => Interlocked.Read(ref other5xx);

    /// <summary>Requests that got no answer (refused or cut connections, timeouts).</summary>
    public long ConnectionErrors => Interlocked.Read(ref connectionErrors);

    /// <summary>Retried requests.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Everything that went wrong, in words.</summary>
    public IReadOnlyCollection<string> Failures => failures;

    /// <summary>Measurements worth a line of their own.</summary>
    public IReadOnlyCollection<string> Notes => notes;

    /// <summary>Latencies in milliseconds by request kind.</summary>
    public IReadOnlyDictionary<string, ConcurrentBag<double>> Latencies => latencies;

    /// <summary>Whether nothing was lost, duplicated or answered with an unexpected 5xx, and no check failed.</summary>
    public bool Passed => Lost == 0 && Duplicated == 0 && Other5xx == 0 && failures.IsEmpty;

    public void Fault() => Interlocked.Increment(ref faults);

    public void Sent(long points) => Interlocked.Add(ref pointsSent, points);

    public void Stored(long points) => Interlocked.Add(ref pointsStored, points);

    public void LostPoints(long points) => Interlocked.Add(ref lost, points);

    public void DuplicatedPoints(long points) => Interlocked.Add(ref duplicated, points);

    public void Malformed() => Interlocked.Increment(ref malformed);

    public void ConnectionError() => Interlocked.Increment(ref connectionErrors);

    public void Retry() => Interlocked.Increment(ref retries);

    public void Fail(string message) => failures.Enqueue(message);

    public void Note(string message) => notes.Enqueue(message);

    public void Latency(string kind, TimeSpan elapsed) => latencies.GetOrAdd(kind, _ => []).Add(elapsed.TotalMilliseconds);

    /// <summary>A dependency is down from now on: its 503s are expected.</summary>
    public void OutageBegins() => outage = true;

    /// <summary>It is back; 503s within <paramref name="recovery"/> still count as the outage's.</summary>
    public void OutageEnds(TimeSpan recovery)
    {
        Interlocked.Exchange(ref outageGraceUntil, Stopwatch.GetTimestamp() + (long)(recovery.TotalSeconds * Stopwatch.Frequency));
        outage = false;
    }

    /// <summary>Counts a 5xx answer: expected (a 503 during a declared outage) or a failure.</summary>
    public void ServerError(int status, string what)
    {
        var declared = outage || Stopwatch.GetTimestamp() < Interlocked.Read(ref outageGraceUntil);
        if (status == 503 && declared)
        {
            Interlocked.Increment(ref outage503);
            return;
        }

        Interlocked.Increment(ref other5xx);
        Fail($"{status} {(declared ? "during" : "outside")} a declared outage: {what}");
    }
}
