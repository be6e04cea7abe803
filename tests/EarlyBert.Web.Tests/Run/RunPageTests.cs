using System.Net;
using Bunit;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Tests.Infrastructure;

namespace EarlyBert.Web.Tests.Run;

public sealed class RunPageTests : DashboardTestContext
{
    // The pages hand what the server prerender loaded to the circuit through the persisted component state.
    public RunPageTests() => Context.AddBunitPersistentComponentState();

    private static readonly Guid RunId = Guid.Parse("6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a");
    private static readonly Guid ParentId = Guid.Parse("11111111-2222-3333-4444-555555555555");

    private void CannedRun(string status = "finished", string metrics = "[]")
    {
        Tracker.Json($"api/runs/{RunId}", RunJson.Of(RunId, "brave-otter", status,
            metadata: """{"versions.torchsharp":"0.107.0","precision":"bf16-mixed","data.sha256":"ab12cd","threads":8,"seed":42}""",
            @params: """{"training.batch_size":"16","learning_rate":"5e-05"}""",
            metrics: metrics, reason: status == "failed" ? "CUDA out of memory" : null, parent: ParentId,
            tags: """{"team":"nlp"}""", notes: "first try"));
        Tracker.Json($"api/runs/{RunId}/artifacts", """
            [{"path":"model/model.safetensors","size":90868376,"sha256":"0123456789abcdef0123456789abcdef","contentType":"application/octet-stream","createdAt":"2025-01-02T04:06:00+00:00"}]
            """);
    }

    [Fact]
    public void Before_the_tracker_answers_the_page_says_loading()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On($"api/runs/{RunId}", () => answer.Task);
        Tracker.Json($"api/runs/{RunId}/artifacts", "[]");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        Assert.Single(page.FindAll("[data-test=run-loading]"));
        answer.SetResult(CannedTracker.Answer(HttpStatusCode.NotFound, "", "text/plain"));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-test=run-loading]")));
    }

    [Fact]
    public void A_run_the_tracker_does_not_know_says_there_is_no_such_run()
    {
        Tracker.Problem($"api/runs/{RunId}", HttpStatusCode.NotFound, "Run not found");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Contains($"There is no run {RunId}.", page.Find("[data-test=run-not-found]").TextContent));
        Assert.Empty(page.FindAll("[data-test=run-error]"));
    }

    [Fact]
    public void A_failing_tracker_shows_the_error_with_its_message()
    {
        Tracker.Unreachable($"api/runs/{RunId}");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Contains("Connection refused (tracker:80)", page.Find("[data-test=run-error]").TextContent));
        Assert.Empty(page.FindAll("[data-test=run-not-found]"));
    }

    [Fact]
    public void A_run_shows_its_status_reason_worker_parent_params_grouped_metadata_and_artifact_download()
    {
        CannedRun("failed");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Find("h4").TextContent));
        var overview = page.Find("[data-test=overview]").TextContent;
        Assert.Contains("CUDA out of memory", overview);
        Assert.Contains("box-42", overview);
        Assert.Contains("1 h 02 min 03 s", overview);
        Assert.Equal($"/runs/{ParentId}", page.Find("[data-test=parent] a").GetAttribute("href"));
        Assert.Contains("5e-05", page.Find("[data-test=params]").TextContent);
        Assert.Contains("0.107.0", page.Find("[data-test='metadata-Versions']").TextContent);
        Assert.Contains("bf16-mixed", page.Find("[data-test='metadata-Environment']").TextContent);
        Assert.Contains("8", page.Find("[data-test='metadata-Environment']").TextContent);
        Assert.Contains("ab12cd", page.Find("[data-test='metadata-Data & model']").TextContent);
        Assert.Contains("seed", page.Find("[data-test='metadata-Other']").TextContent);
        page.WaitForAssertion(() => Assert.Contains("86.7 MiB", page.Find("[data-test=artifacts]").TextContent));
        Assert.Equal($"/runs/{RunId}/artifacts/download?path=model%2Fmodel.safetensors",
            page.Find("[data-test=artifacts] a[download]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-test=cancel]"));
    }

    [Fact]
    public void A_running_run_can_be_cancelled()
    {
        CannedRun("running");
        Tracker.Json($"api/runs/{RunId}/cancel", RunJson.Of(RunId, "brave-otter", "running").Replace("\"cancelRequested\":false", "\"cancelRequested\":true"), method: HttpMethod.Post);
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Equal("Cancel", page.Find("[data-test=cancel]").TextContent.Trim()));

        page.Find("[data-test=cancel]").Click();

        page.WaitForAssertion(() => Assert.Equal("Cancel requested", page.Find("[data-test=cancel]").TextContent.Trim()));
        Assert.Contains($"POST api/runs/{RunId}/cancel", Tracker.Requests);
    }

    [Fact]
    public void Saving_notes_and_a_tag_sends_them_to_the_tracker()
    {
        CannedRun();
        Tracker.Json($"api/runs/{RunId}", RunJson.Of(RunId, "brave-otter", notes: "second try"), method: HttpMethod.Patch);
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=notes-tags]")));

        page.Find("[data-test=notes-tags] textarea").Change("second try");
        var inputs = page.FindAll("[data-test=notes-tags] input");
        inputs[0].Change("verdict");
        page.FindAll("[data-test=notes-tags] input")[1].Change("baseline");
        page.Find("[data-test=save-notes]").Click();

        page.WaitForAssertion(() => Assert.Contains($"PATCH api/runs/{RunId}", Tracker.Requests));
        var body = Tracker.Bodies.Single();
        Assert.Contains("\"notes\":\"second try\"", body);
        Assert.Contains("\"tags\":{\"verdict\":\"baseline\"}", body);
    }

    [Fact]
    public void The_model_card_is_rendered_as_markdown_with_raw_html_kept_as_text()
    {
        CannedRun();
        Tracker.Json($"api/runs/{RunId}/artifacts", """
            [{"path":"README.md","size":120,"sha256":"aa","contentType":"text/markdown","createdAt":"2025-01-02T04:06:00+00:00"}]
            """);
        Tracker.Content($"api/runs/{RunId}/artifacts/content?path=README.md",
            "### Training results\n\n| Train Loss | Epoch |\n|---|---|\n| 0.25 | 0 |\n\n<script>alert(1)</script>\n");

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Equal("Training results", page.Find("[data-test=model-card] h3").TextContent));
        Assert.Equal("0.25", page.Find("[data-test=model-card] table td").TextContent);
        Assert.Empty(page.FindAll("[data-test=model-card] script"));
    }

    [Fact]
    public void Metric_charts_are_drawn_from_the_downsampled_series_in_key_order()
    {
        CannedRun(metrics: $"[{RunJson.Latest("train/grad_norm", 20, 1.5)},{RunJson.Latest("eval/accuracy", 20, 0.9)},{RunJson.Latest("train/loss", 20, 0.3)}]");
        Tracker.Json($"api/runs/{RunId}/metrics/downsampled", RunJson.Series("x", [0, 10, 20], [0.7, 0.5, 0.3]));

        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));

        page.WaitForAssertion(() => Assert.Equal(
            ["train/loss", "eval/accuracy", "train/grad_norm"],
            page.FindAll("[data-test=metric-chart]").Select(c => c.GetAttribute("data-metric"))));
        Assert.Contains($"GET api/runs/{RunId}/metrics/downsampled?key=train/loss&maxPoints=500", Tracker.Requests);
    }

    [Fact]
    public void A_metrics_event_of_a_running_run_requeries_its_charts_and_updates_the_latest_values()
    {
        CannedRun("running", metrics: $"[{RunJson.Latest("train/loss", 10, 0.5)}]");
        Tracker.Json($"api/runs/{RunId}/metrics/downsampled", RunJson.Series("train/loss", [0, 10], [0.7, 0.5]));
        var events = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On($"api/runs/{RunId}/events", () => events.Task);
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=metric-chart]")));
        var before = Tracker.Requests.Count(r => r.Contains("/metrics/downsampled", StringComparison.Ordinal));

        events.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            $$"""data: {"type":"metrics","runId":"{{RunId}}","status":null,"metrics":[{{RunJson.Latest("train/loss", 20, 0.25)}}],"at":"2025-01-02T03:06:00+00:00"}""" + "\n\n",
            "text/event-stream"));

        page.WaitForAssertion(() => Assert.Contains("0.25 (step 20)", page.Find("[data-test=latest-metrics]").TextContent));
        page.WaitForAssertion(() => Assert.True(Tracker.Requests.Count(r => r.Contains("/metrics/downsampled", StringComparison.Ordinal)) > before));
    }

    [Fact]
    public void A_resync_event_reads_the_run_again_because_events_from_other_tracker_replicas_may_have_been_missed()
    {
        CannedRun("running");
        var events = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On($"api/runs/{RunId}/events", () => events.Task);
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Contains($"GET api/runs/{RunId}", Tracker.Requests));
        var before = Tracker.Requests.Count(r => r == $"GET api/runs/{RunId}");

        events.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            $$"""data: {"type":"resync","runId":"{{RunId}}","status":null,"metrics":null,"at":"2025-01-02T03:06:00+00:00"}""" + "\n\n",
            "text/event-stream"));

        page.WaitForAssertion(() => Assert.Equal(before + 1, Tracker.Requests.Count(r => r == $"GET api/runs/{RunId}")));
    }
}
