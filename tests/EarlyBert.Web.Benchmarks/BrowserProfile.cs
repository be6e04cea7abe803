using System.Text.Json;
using Microsoft.Playwright;

namespace EarlyBert.Web.Benchmarks;

/// <summary>
/// A sampling profile of a page's main thread (Chromium's V8 profiler over the DevTools protocol), summarised as
/// where the time went: by script and by function, self time. Time spent in style, layout and paint that a script
/// forced is counted in that script's function; the rest of the renderer's own work shows as <c>(program)</c>.
/// </summary>
public sealed class BrowserProfile
{
    private readonly ICDPSession session;

    private BrowserProfile(ICDPSession session) => this.session = session;

    /// <summary>Starts sampling <paramref name="page"/> every 100 µs.</summary>
    public static async Task<BrowserProfile> StartAsync(IPage page)
    {
        var session = await page.Context.NewCDPSessionAsync(page);
        await session.SendAsync("Profiler.enable");
        await session.SendAsync("Profiler.setSamplingInterval", new Dictionary<string, object> { ["interval"] = 100 });
        await session.SendAsync("Profiler.start");
        return new BrowserProfile(session);
    }

    /// <summary>Stops sampling and prints the top scripts and functions by self time.</summary>
    public async Task StopAndPrintAsync(int top = 25)
    {
        var result = await session.SendAsync("Profiler.stop") ?? throw new InvalidOperationException("The profiler answered nothing.");
        var profile = result.GetProperty("profile");
        var frames = new Dictionary<int, (string Function, string Url, int Line)>();
        foreach (var node in profile.GetProperty("nodes").EnumerateArray())
        {
            var frame = node.GetProperty("callFrame");
            var url = frame.GetProperty("url").GetString() ?? "";
            frames[node.GetProperty("id").GetInt32()] = (frame.GetProperty("functionName").GetString() ?? "", Short(url), frame.GetProperty("lineNumber").GetInt32());
        }

        var samples = profile.GetProperty("samples").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        var deltas = profile.GetProperty("timeDeltas").EnumerateArray().Select(d => d.GetInt64()).ToArray();
        var byFunction = new Dictionary<(string, string, int), double>();
        // What the main thread did in each 100 ms since sampling began, by script.
        var slices = new SortedDictionary<int, Dictionary<string, double>>();
        var at = 0.0;
        // A sample's time is the delta to the next sample.
        for (var i = 0; i + 1 < samples.Length; i++)
        {
            var key = frames[samples[i]];
            var ms = deltas[i + 1] / 1000.0;
            at += deltas[i] / 1000.0;
            byFunction[key] = byFunction.GetValueOrDefault(key) + ms;
            var slice = slices.TryGetValue((int)(at / 100), out var found) ? found : slices[(int)(at / 100)] = [];
            var what = key.Url.Length > 0 ? key.Url.Split('.')[0] : key.Function;
            slice[what] = slice.GetValueOrDefault(what) + ms;
        }

        foreach (var (slice, parts) in slices)
        {
            Console.WriteLine($"    {slice * 100,5}–{slice * 100 + 100,-5} ms: {string.Join(", ", parts.Where(p => p.Value >= 2).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:0}"))}");
        }

        Console.WriteLine($"    profile: {byFunction.Values.Sum():0} ms sampled");
        foreach (var (url, ms) in byFunction.GroupBy(p => p.Key.Item2).Select(g => (g.Key, g.Sum(p => p.Value))).OrderByDescending(p => p.Item2).Take(12))
        {
            Console.WriteLine($"      {ms,7:0.0} ms  {(url.Length == 0 ? "(native)" : url)}");
        }

        foreach (var ((function, url, line), ms) in byFunction.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"      {ms,7:0.0} ms  {(function.Length == 0 ? "(anonymous)" : function)}  {url}:{line}");
        }

        await session.DetachAsync();
    }

    private static string Short(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Path.GetFileName(uri.AbsolutePath) : url;
}
