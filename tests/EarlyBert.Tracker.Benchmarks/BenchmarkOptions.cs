using System.Globalization;

namespace EarlyBert.Tracker.Benchmarks;

/// <summary>What to measure.</summary>
/// <param name="Postgres">PostgreSQL server (no database: a fresh one is created).</param>
/// <param name="S3">S3 server.</param>
/// <param name="IngestPoints">Points per ingest scenario.</param>
/// <param name="ComparePoints">Points per series for the compare benchmark (20 runs × 3 metrics).</param>
/// <param name="CompareRequests">Timed compare requests.</param>
/// <param name="Keep">Keep the database afterwards (for looking at query plans).</param>
/// <param name="Rounds">Times each ingest scenario runs (interleaved); medians are reported.</param>
/// <param name="MlflowRequests">Timed MLflow log-batch requests (and as many baseline batches).</param>
/// <param name="Only">The one section to run (<c>ingest</c>, <c>compare</c>, <c>mlflow</c>); null runs all.</param>
internal sealed record BenchmarkOptions(
    string Postgres, string S3, int IngestPoints, int ComparePoints, int CompareRequests, bool Keep, int Rounds, int MlflowRequests, string? Only)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int Number(string name, int fallback) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        string Required(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Set {variable} (see the comment at the top of Program.cs).");

        return new BenchmarkOptions(
            Value("--postgres") ?? Required("EARLYBERT_TEST_POSTGRES"),
            Value("--s3") ?? Required("EARLYBERT_TEST_S3"),
            Number("--points", 400_000),
            Number("--compare-points", 100_000),
            Number("--compare-requests", 60),
            args.Contains("--keep"),
            Number("--rounds", 3),
            Number("--mlflow-requests", 50),
            Value("--only") is { } only && Sections.Contains(only) ? only
                : Value("--only") is { } other ? throw new ArgumentException($"--only takes {string.Join(", ", Sections)}, not '{other}'.") : null);
    }

    /// <summary>The sections <c>--only</c> takes.</summary>
    public static readonly string[] Sections = ["ingest", "compare", "mlflow"];

    /// <summary>Whether <paramref name="section"/> runs.</summary>
    public bool Runs(string section) => Only is null || Only == section;
}
