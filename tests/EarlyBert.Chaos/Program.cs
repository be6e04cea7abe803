// Fault injection against a real tracker: it runs its own PostgreSQL, puts a proxy in front of the S3 server named by
// EARLYBERT_TEST_S3, starts the built tracker as child processes and, per scenario, kills the tracker, restarts
// PostgreSQL, cuts S3, outlasts the heartbeat timeout and loads it with idle subscribers and a slow reader, while
// writers log metrics with retries and malformed requests fly. It prints the figures and exits 1 when a point was
// lost or duplicated, a 5xx other than an outage's 503 was seen, or a scenario's check failed.
// Usage: ./build.sh chaos [--quick] [--subscribers N] [--only kill|postgres|s3|grace|load]
using EarlyBert.Chaos;
using EarlyBert.Chaos.Infrastructure;
using EarlyBert.Chaos.Scenarios;

var settings = new ChaosSettings();
string? only = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            settings = settings with { BatchesPerWriter = 12, Faults = 1, Subscribers = 200 };
            break;
        case "--subscribers" when i + 1 < args.Length:
            settings = settings with { Subscribers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) };
            break;
        case "--only" when i + 1 < args.Length:
            only = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: EarlyBert.Chaos [--quick] [--subscribers N] [--only kill|postgres|s3|grace|load]");
            return 2;
    }
}

var s3 = Environment.GetEnvironmentVariable("EARLYBERT_TEST_S3");
if (string.IsNullOrEmpty(s3))
{
    Console.Error.WriteLine("EARLYBERT_TEST_S3 is not set: run ./build.sh chaos, which starts an S3 server.");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var scenarios = new (string Name, Func<ChaosPlatform, ChaosSettings, CancellationToken, Task<Tally>> Run)[]
{
    ("kill", TrackerKillScenario.RunAsync),
    ("postgres", PostgresRestartScenario.RunAsync),
    ("s3", S3OutageScenario.RunAsync),
    ("grace", HeartbeatGraceScenario.RunAsync),
    ("load", LoadScenario.RunAsync),
};

await using var platform = await ChaosPlatform.StartAsync(s3, cancel.Token);
Console.WriteLine($"PostgreSQL on port {platform.Postgres.Port}, S3 proxy on port {platform.S3Proxy.Port}, logs in {platform.LogDirectory}");
var tallies = new List<Tally>();
foreach (var (name, run) in scenarios.Where(s => only is null || s.Name == only))
{
    Console.WriteLine($"-- {name}");
    var watch = System.Diagnostics.Stopwatch.StartNew();
    var tally = await run(platform, settings, cancel.Token);
    Console.WriteLine($"   {(tally.Passed ? "passed" : "FAILED")} in {watch.Elapsed.TotalSeconds:0} s");
    tallies.Add(tally);
}

Report.Print(tallies, Console.Out);
var passed = tallies.All(t => t.Passed);
platform.KeepLogs = !passed;
if (!passed)
{
    Console.WriteLine($"The servers' logs are kept in {platform.LogDirectory}");
}

return passed ? 0 : 1;
