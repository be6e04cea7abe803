using System.Globalization;
using EarlyBert.Chaos.Scenarios;

namespace EarlyBert.Chaos;

/// <summary>The figures, per scenario and in total.</summary>
internal static class Report
{
    public static void Print(IReadOnlyList<Tally> tallies, TextWriter output)
    {
        foreach (var tally in tallies)
        {
            output.WriteLine();
            output.WriteLine($"== {tally.Scenario}: {(tally.Passed ? "passed" : "FAILED")}");
            output.WriteLine(Figures(tally.Faults, tally.PointsSent, tally.PointsStored, tally.Lost, tally.Duplicated, tally.MalformedSent, tally.Outage503, tally.Other5xx, tally.ConnectionErrors, tally.Retries));
            foreach (var (kind, samples) in tally.Latencies.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                var sorted = samples.Order().ToArray();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   latency {kind,-34} n={sorted.Length,-5} p50={Percentile(sorted, 0.5),8:0.0} ms  p95={Percentile(sorted, 0.95),8:0.0} ms  max={sorted[^1],8:0.0} ms"));
            }

            foreach (var note in tally.Notes)
            {
                output.WriteLine($"   {note}");
            }

            foreach (var failure in tally.Failures.Take(20))
            {
                output.WriteLine($"   FAILURE: {failure}");
            }
        }

        output.WriteLine();
        output.WriteLine($"== total: {(tallies.All(t => t.Passed) ? "passed" : "FAILED")}");
        output.WriteLine(Figures(
            tallies.Sum(t => t.Faults), tallies.Sum(t => t.PointsSent), tallies.Sum(t => t.PointsStored), tallies.Sum(t => t.Lost),
            tallies.Sum(t => t.Duplicated), tallies.Sum(t => t.MalformedSent), tallies.Sum(t => t.Outage503), tallies.Sum(t => t.Other5xx),
            tallies.Sum(t => t.ConnectionErrors), tallies.Sum(t => t.Retries)));
    }

    private static string Figures(long faults, long sent, long stored, long lost, long duplicated, long malformed, long outage503, long other5xx, long unanswered, long retries) =>
        $"   faults {faults}, points sent {sent}, stored {stored}, lost {lost}, duplicated {duplicated}, malformed requests {malformed}, " +
        $"503 during outages {outage503}, other 5xx {other5xx}, unanswered requests {unanswered}, retries {retries}";

    private static double Percentile(double[] sorted, double fraction) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
