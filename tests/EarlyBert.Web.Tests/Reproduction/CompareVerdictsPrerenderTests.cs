using System.Net;
using System.Text.Json;
using Bunit;
using Bunit.TestDoubles;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Web.Components.Pages.Reproduction;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Reproduction;

/// <summary>Compare's verdict lines read in the server prerender are handed to the circuit, not read again.</summary>
public sealed class CompareVerdictsPrerenderTests : DashboardTestContext
{
    private static readonly Guid ParentId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid ChildId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    private readonly BunitPersistentComponentState state;

    public CompareVerdictsPrerenderTests() => state = Context.AddBunitPersistentComponentState();

    private static IReadOnlyList<RunSummary> Runs() =>
    [
        JsonSerializer.Deserialize(TrackerJson.Summary(ParentId, "otter"), TrackerJsonContext.Default.RunSummary)!,
        JsonSerializer.Deserialize(TrackerJson.Summary(ChildId, "otter-reproduction").TrimEnd('}') + $",\"parentRunId\":\"{ParentId}\"}}",
            TrackerJsonContext.Default.RunSummary)!,
    ];

    private IRenderedComponent<CompareVerdicts> RenderVerdicts() =>
        Render<CompareVerdicts>(p => p.Add(c => c.Runs, Runs()).Add(c => c.Labels, ["a", "b"]));

    [Fact]
    public async Task The_circuit_shows_the_verdict_the_prerender_read_without_reading_the_run_again()
    {
        Tracker.Json($"api/runs/{ChildId}", ReproductionJson.Run(ChildId, "otter-reproduction", parent: ParentId,
            reproduction: ReproductionJson.Record(ParentId, "within tolerance", "within tolerance: largest relative loss difference 3.2e-07")));
        var prerender = RenderVerdicts();
        prerender.WaitForAssertion(() => Assert.Single(prerender.FindAll("[data-test=compare-verdict]")));
        state.TriggerOnPersisting();
        await Context.DisposeComponentsAsync();
        Tracker.On($"api/runs/{ChildId}", () => new TaskCompletionSource<HttpResponseMessage>().Task);

        var circuit = RenderVerdicts();

        var line = circuit.Find("[data-test=compare-verdict]");
        Assert.Equal("within tolerance", line.QuerySelector("[data-test=verdict]")!.TextContent.Trim());
        Assert.Equal([$"/runs/{ChildId}", $"/runs/{ParentId}"], line.QuerySelectorAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("largest relative loss difference 3.2e-07", line.TextContent);
        Assert.Single(Tracker.Requests, r => r == $"GET api/runs/{ChildId}");
    }
}
