// Dashboard benchmark: the platform under the AppHost (local PostgreSQL and Ceph RGW on free ports, fresh state),
// loaded through the tracker API, timed in Debian's headless Chromium through Playwright. Every figure is printed
// next to a baseline measured in the same run: the tracker API call the page itself waits for.
//
//   dotnet run -c Release --project tests/EarlyBert.Web.Benchmarks -- [--points 100000] [--runs 10000] [--loads 5] [--only compare|live|runs|charts] [--profile]
//
// --only charts starts no platform: it draws one chart of 20 series × 1,000 points with MudBlazor and with plotly.js
// in the same browser (ChartChoiceBench), the measurement behind the dashboard's chart library.
//
// Targets (issue 10): Compare of 20 runs × 3 metrics × 100,000 points drawn and interactive within 1 s of
// navigation; a live point on an open Run page within 2 s; Runs page with 10,000 runs: first page and a filter
// answer within 500 ms each.
using EarlyBert.Web.Benchmarks;

var options = BenchOptions.Parse(args);
if (options.Only == "charts")
{
    await new ChartChoiceBench(options).RunAsync();
    return;
}

await using var platform = await BenchPlatform.StartAsync();
Console.WriteLine($"Platform up in {platform.StartUpTime.TotalSeconds:0} s; web {platform.WebUrl}, tracker {platform.TrackerUrl}");
await using var browser = await BenchBrowser.LaunchAsync(platform.WebUrl);
var bench = new DashboardBench(platform, browser, options);
if (options.Includes("compare"))
{
    await bench.CompareAsync();
}

if (options.Includes("live"))
{
    await bench.LiveAsync();
}

if (options.Includes("runs"))
{
    await bench.RunsPageAsync();
}

bench.PrintSummary();
