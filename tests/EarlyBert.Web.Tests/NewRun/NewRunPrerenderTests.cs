using System.Net;
using Bunit;
using Bunit.TestDoubles;
using EarlyBert.Recipes;
using EarlyBert.Web.Components.Pages.NewRun;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.NewRun;

/// <summary>
/// <c>/runs/new?clone=ID</c>: the server prerender loads the run to clone and hands it to the circuit, which fills the
/// same editor without asking the tracker again and without saying it is loading.
/// </summary>
public sealed class NewRunPrerenderTests : DashboardTestContext
{
    private static readonly Guid SourceId = Guid.Parse("5e1f0c3a-7b2d-4e6f-8a9b-0c1d2e3f4a5b");

    private readonly BunitPersistentComponentState state;

    public NewRunPrerenderTests()
    {
        state = Context.AddBunitPersistentComponentState();
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/runs/new?clone={SourceId}");
    }

    private static string EditorText(IRenderedComponent<NewRunPage> page) => page.Find("[data-test=config] textarea").GetAttribute("value") ?? "";

    private int RunRequests => Tracker.Requests.Count(r => r == $"GET api/runs/{SourceId}");

    // The prerender renders and persists; then the tracker stops answering, so a circuit that asked again would be
    // seen loading.
    private async Task<string> PrerenderAsync()
    {
        var prerender = Render<NewRunPage>();
        prerender.WaitForAssertion(() => Assert.Empty(prerender.FindAll("[data-test=clone-loading]")));
        var editor = EditorText(prerender);
        state.TriggerOnPersisting();
        await Context.DisposeComponentsAsync();
        Tracker.On($"api/runs/{SourceId}", () => new TaskCompletionSource<HttpResponseMessage>().Task);
        return editor;
    }

    [Fact]
    public async Task The_circuit_fills_the_editor_with_the_clone_the_prerender_loaded_without_asking_the_tracker_again()
    {
        var stored = RunConfigJson.Apply(Presets.Get("smoke"), ["training.threads=2", "name=tiny"]);
        Tracker.Json($"api/runs/{SourceId}",
            RunJson.Of(SourceId, "tiny").Replace("\"config\":{}", $"\"config\":{RunConfigJson.ToNode(stored).ToJsonString()}", StringComparison.Ordinal));
        var prerendered = await PrerenderAsync();

        var circuit = Render<NewRunPage>();

        Assert.Empty(circuit.FindAll("[data-test=clone-loading]"));
        Assert.Equal(RunConfigJson.ToJson(stored), prerendered);
        Assert.Equal(prerendered, EditorText(circuit));
        Assert.Contains($"a clone of run tiny ({SourceId})", circuit.Find("[data-test=source]").TextContent);
        Assert.Equal($"/runs/{SourceId}", circuit.Find("[data-test=clone] a").GetAttribute("href"));
        Assert.False(circuit.Find("[data-test=queue]").HasAttribute("disabled"));
        Assert.Equal(1, RunRequests);
    }

    [Fact]
    public async Task A_clone_the_prerender_could_not_load_shows_the_same_error_in_the_circuit_without_asking_again()
    {
        Tracker.Problem($"api/runs/{SourceId}", HttpStatusCode.NotFound, "Run not found");
        await PrerenderAsync();

        var circuit = Render<NewRunPage>();

        Assert.Empty(circuit.FindAll("[data-test=clone-loading]"));
        Assert.Contains($"There is no run {SourceId} to clone.", circuit.Find("[data-test=clone-error]").TextContent);
        Assert.Equal("", EditorText(circuit));
        Assert.Equal(1, RunRequests);
    }
}
