using System.Net;
using Bunit;
using Bunit.TestDoubles;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Components.Shared;
using EarlyBert.Web.Tests.Infrastructure;
using EarlyBert.Web.Tests.Reproduction;
using Microsoft.AspNetCore.Components;

namespace EarlyBert.Web.Tests.Run;

/// <summary>
/// The server prerender loads the Run page and hands it to the circuit through the persisted component state: the
/// circuit's first render shows the same page, with no "Loading run…" and no second call to the tracker.
/// </summary>
public sealed class RunPagePrerenderTests : DashboardTestContext
{
    private static readonly Guid RunId = Guid.Parse("6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a");
    private static readonly Guid ParentId = Guid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly Guid ChildId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    private static readonly string RunRequest = $"GET api/runs/{RunId}";
    private static readonly string ArtifactsRequest = $"GET api/runs/{RunId}/artifacts";
    private static readonly string CardRequest = $"GET api/runs/{RunId}/artifacts/content?path=README.md";
    private static readonly string ReportRequest = $"GET api/runs/{RunId}/reproduction";
    private static readonly string ChildrenRequest = $"GET api/runs?skip=0&take=20&filter=parent = \"{RunId}\"&orderBy=created desc";

    // A metric whose latest value is NaN (a diverged loss), as the tracker writes it.
    private static readonly string NanLoss =
        """{"key":"train/loss","step":7,"value":"NaN","epoch":null,"timestamp":"2025-01-02T03:05:00+00:00","pointCount":7,"minStep":0,"maxStep":7}""";

    private readonly BunitPersistentComponentState state;

    public RunPagePrerenderTests()
    {
        state = Context.AddBunitPersistentComponentState();
    }

    // A reproduction with a NaN metric, a model card, an artifact listing, a child run and a verdict report.
    private void CannedRun(string status)
    {
        var run = ReproductionJson.Run(RunId, "brave-otter", status, parent: ParentId,
                reproduction: ReproductionJson.Record(ParentId, status == "finished" ? "identical" : null, status == "finished" ? "identical" : null))
            .Replace("\"metrics\":[]", $"\"metrics\":[{NanLoss}]", StringComparison.Ordinal);
        Tracker.Json($"api/runs/{RunId}", run);
        Tracker.Json($"api/runs/{RunId}/artifacts", """
            [{"path":"README.md","size":40,"sha256":"aa","contentType":"text/markdown","createdAt":"2025-01-02T04:06:00+00:00"}]
            """);
        Tracker.Content($"api/runs/{RunId}/artifacts/content?path=README.md", "### Training results\n\nIt trained.\n");
        Tracker.Json("api/runs?", TrackerJson.Page(1, TrackerJson.Summary(ChildId, "second-otter")));
        Tracker.Json($"api/runs/{RunId}/reproduction", ReproductionJson.Report(RunId, status,
            ReproductionJson.Record(ParentId, status == "finished" ? "identical" : null, status == "finished" ? "identical" : null),
            $"[{ReproductionJson.Differences("train/loss", [0, 1], [0, 0])}]"));
        Tracker.Json($"api/runs/{RunId}/metrics/downsampled", RunJson.Series("train/loss", [0, 7], [0.7, 0.5]));
    }

    // The server prerender: a static render whose state is then persisted into the page, and which ends.
    private async Task PrerenderAsync()
    {
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        var prerender = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        prerender.WaitForAssertion(() => Assert.Contains("Training results", prerender.Find("[data-test=model-card]").TextContent));
        prerender.WaitForAssertion(() => Assert.Single(prerender.FindAll("[data-test=child]")));
        prerender.WaitForAssertion(() => Assert.Single(prerender.FindAll("[data-test=differences]")));
        state.TriggerOnPersisting();
        await Context.DisposeComponentsAsync();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
    }

    // Answers the tracker would never give: a page that asks again shows its loading state for as long as the test looks.
    private void TrackerHangs(params string[] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            Tracker.On(prefix, () => new TaskCompletionSource<HttpResponseMessage>().Task);
        }
    }

    private int Count(string request) => Tracker.Requests.Count(r => r == request);

    [Fact]
    public async Task The_circuit_shows_what_the_prerender_loaded_at_once_without_a_loading_state_or_a_second_tracker_call()
    {
        CannedRun("finished");
        await PrerenderAsync();
        TrackerHangs($"api/runs/{RunId}", $"api/runs/{RunId}/artifacts", $"api/runs/{RunId}/artifacts/content?path=README.md", "api/runs?",
            $"api/runs/{RunId}/reproduction");

        var circuit = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        Assert.Empty(circuit.FindAll("[data-test=run-loading]"));
        Assert.Equal("brave-otter", circuit.Find("h4").TextContent.Trim());
        Assert.Contains("NaN (step 7)", circuit.Find("[data-test=latest-metrics]").TextContent);
        Assert.Contains("README.md", circuit.Find("[data-test=artifacts]").TextContent);
        Assert.Empty(circuit.FindAll("[data-test=children-loading]"));
        Assert.Equal($"/runs/{ChildId}", circuit.Find("[data-test=child] a").GetAttribute("href"));
        Assert.Equal("Training results", circuit.Find("[data-test=model-card] h3").TextContent);
        Assert.Equal("identical", circuit.Find("[data-test=verdict-alert] [data-test=verdict]").TextContent.Trim());
        Assert.Single(circuit.FindAll("[data-test=differences] [data-test=metric-chart]"));
        Assert.Equal(1, Count(RunRequest));
        Assert.Equal(1, Count(ArtifactsRequest));
        Assert.Equal(1, Count(ChildrenRequest));
        Assert.Equal(1, Count(CardRequest));
        Assert.Equal(1, Count(ReportRequest));
    }

    [Fact]
    public async Task A_live_run_from_the_prerender_is_read_once_more_when_its_event_stream_opens_so_a_change_in_between_is_shown()
    {
        CannedRun("running");
        var events = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On($"api/runs/{RunId}/events", () => events.Task);
        await PrerenderAsync();
        // It ended after the prerender read it, before the circuit subscribed: no event will say so.
        CannedRun("finished");

        var circuit = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        Assert.Empty(circuit.FindAll("[data-test=run-loading]"));
        Assert.Contains("Running for", circuit.Find("[data-test=overview]").TextContent);
        Assert.Equal(1, Count(RunRequest));

        events.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            $$"""event: ready{{"\n"}}data: {"type":"ready","runId":"{{RunId}}","status":null,"metrics":null,"at":"2025-01-02T03:06:00+00:00"}""" + "\n\n",
            "text/event-stream"));

        circuit.WaitForAssertion(() => Assert.Contains("Duration", circuit.Find("[data-test=overview]").TextContent));
        Assert.Equal("identical", circuit.Find("[data-test=verdict-alert] [data-test=verdict]").TextContent.Trim());
        Assert.Empty(circuit.FindAll("[data-test=run-loading]"));
        Assert.Equal(2, Count(RunRequest));
        Assert.Equal(1, Count(ChildrenRequest));
    }

    [Fact]
    public async Task A_run_too_large_to_hand_to_the_circuit_is_loaded_again_by_it_rather_than_stopping_it_from_starting()
    {
        // Random values do not compress: far past what the circuit's first message may carry.
        var @params = "{" + string.Join(',', Enumerable.Range(0, 500).Select(i => $"\"p{i}\":\"{Guid.NewGuid()}\"")) + "}";
        Tracker.Json($"api/runs/{RunId}", RunJson.Of(RunId, "huge-otter", @params: @params));
        Tracker.Json($"api/runs/{RunId}/artifacts", "[]");
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        var prerender = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        prerender.WaitForAssertion(() => Assert.Equal("huge-otter", prerender.Find("h4").TextContent.Trim()));
        state.TriggerOnPersisting();
        await Context.DisposeComponentsAsync();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));

        var circuit = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        circuit.WaitForAssertion(() => Assert.Equal("huge-otter", circuit.Find("h4").TextContent.Trim()));
        Assert.Contains("p499", circuit.Find("[data-test=params]").TextContent);
        Assert.Equal(2, Count(RunRequest));
    }

    [Fact]
    public async Task A_prerender_that_could_not_load_the_run_hands_its_error_to_the_circuit_which_does_not_ask_again()
    {
        Tracker.Unreachable($"api/runs/{RunId}");
        Tracker.Json($"api/runs/{RunId}/artifacts", "[]");
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        Context.Renderer.SetRendererInfo(new RendererInfo("Static", false));
        var prerender = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        prerender.WaitForAssertion(() => Assert.Single(prerender.FindAll("[data-test=run-error]")));
        state.TriggerOnPersisting();
        await Context.DisposeComponentsAsync();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));

        var circuit = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        Assert.Contains("Connection refused (tracker:80)", circuit.Find("[data-test=run-error]").TextContent);
        Assert.Empty(circuit.FindAll("[data-test=run-loading]"));
        Assert.Equal(1, Count(RunRequest));
    }

    [Fact]
    public void A_page_without_persisted_state_loads_the_run_itself_saying_loading_until_it_answers()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        CannedRun("finished");
        Tracker.On($"api/runs/{RunId}", () => answer.Task);
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        Assert.Single(page.FindAll("[data-test=run-loading]"));
        answer.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            ReproductionJson.Run(RunId, "brave-otter", "finished", parent: ParentId, reproduction: ReproductionJson.Record(ParentId, "identical", "identical")),
            "application/json"));
        page.WaitForAssertion(() => Assert.Equal("brave-otter", page.Find("h4").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.Equal("Training results", page.Find("[data-test=model-card] h3").TextContent));
        Assert.Equal(1, Count(RunRequest));
        Assert.Equal(1, Count(ChildrenRequest));
        Assert.Equal(1, Count(CardRequest));
    }

    [Fact]
    public void Run_charts_first_show_each_metric_as_loading_and_ask_for_its_series_once()
    {
        var answer = new TaskCompletionSource();
        Tracker.On($"api/runs/{RunId}/metrics/downsampled", async () =>
        {
            await answer.Task;
            return CannedTracker.Answer(HttpStatusCode.OK, RunJson.Series("train/loss", [0, 7], [0.7, 0.5]), "application/json");
        });

        var charts = Render<RunMetricCharts>(p => p.Add(c => c.RunId, RunId).Add(c => c.Keys, ["train/loss", "eval/accuracy"]));

        Assert.Equal(["train/loss", "eval/accuracy"], charts.FindAll("[data-test=chart-loading]").Select(c => c.GetAttribute("data-metric")));
        Assert.Contains("Loading train/loss…", charts.Markup);
        Assert.Empty(charts.FindComponents<MetricChart>());
        answer.SetResult();
        charts.WaitForAssertion(() => Assert.Equal(2, charts.FindComponents<MetricChart>().Count));
        Assert.Empty(charts.FindAll("[data-test=chart-loading]"));
        Assert.Equal(1, Tracker.Requests.Count(r => r.Contains("downsampled?key=train/loss", StringComparison.Ordinal)));
        Assert.Equal(1, Tracker.Requests.Count(r => r.Contains("downsampled?key=eval/accuracy", StringComparison.Ordinal)));
    }
}
