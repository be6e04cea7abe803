using System.Net;
using Bunit;
using Bunit.TestDoubles;
using EarlyBert.Web.Components.Pages.Runs;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.Runs;

/// <summary>The Runs page's filter, order, columns, CSV link and live updates, against canned tracker answers.</summary>
public sealed class RunsPageViewTests : DashboardTestContext
{
    // The page hands its first page from the server prerender to the circuit through the persisted state.
    private readonly BunitPersistentComponentState state;

    public RunsPageViewTests()
    {
        state = Context.AddBunitPersistentComponentState();
        Context.Renderer.SetRendererInfo(new RendererInfo("Server", true));
    }

    private static readonly Guid First = Guid.Parse("11111111-1111-4111-8111-111111111111");
    private static readonly Guid Second = Guid.Parse("22222222-2222-4222-8222-222222222222");

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    private List<string> RunListRequests => Tracker.Requests.Where(r => r.StartsWith("GET api/runs?", StringComparison.Ordinal)).ToList();

    private static string Summary(Guid id, string name, string status = "finished", string @params = "null", string metrics = "null") =>
        $$"""{"id":"{{id}}","experiment":"default","name":"{{name}}","status":"{{status}}","createdAt":"2025-01-02T03:04:05+00:00","params":{{@params}},"metrics":{{metrics}}}""";

    private void TwoRuns() => Tracker.Json("api/runs?", TrackerJson.Page(2, Summary(First, "brave-otter"), Summary(Second, "calm-heron")));

    private IRenderedComponent<RunsPage> RenderAt(string address)
    {
        Navigation.NavigateTo(address);
        return Render<RunsPage>();
    }

    [Fact]
    public void A_refused_filter_shows_the_trackers_message_a_caret_under_the_position_and_what_was_expected()
    {
        TwoRuns();
        Tracker.On("api/runs?skip=0&take=25&filter=", () => Task.FromResult(CannedTracker.Answer(HttpStatusCode.BadRequest,
            """{"title":"Bad request","status":400,"detail":"Expected a value after '>'.","position":12,"expected":"a number or a quoted string"}""",
            "application/problem+json")));
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));

        page.Find("[data-test=filter-form] input").Input("params.lr > and status = 'x'");
        page.Find("form[data-test=filter-form]").Submit();

        page.WaitForAssertion(() => Assert.Contains("Expected a value after '>'.", page.Find("[data-test=filter-error]").TextContent));
        var caret = page.Find("[data-test=filter-caret]").TextContent.Split('\n');
        Assert.Equal("params.lr > and status = 'x'", caret[0]);
        Assert.Equal(new string(' ', 12) + "^", caret[1]);
        Assert.Equal("At character 13: expected a number or a quoted string", page.Find("[data-test=filter-position]").TextContent.Trim());
        Assert.Contains("GET api/runs?skip=0&take=25&filter=params.lr > and status = 'x'", Tracker.Requests);
        Assert.EndsWith("/runs?filter=params.lr%20%3E%20and%20status%20%3D%20%27x%27", Navigation.Uri, StringComparison.Ordinal);
        Assert.DoesNotContain("No runs yet", page.Markup);
        Assert.Empty(page.FindAll("[data-test=runs-error]"));
    }

    [Fact]
    public void A_filter_from_the_address_is_sent_and_no_match_says_so_instead_of_no_runs_yet()
    {
        Tracker.Json("api/runs?", TrackerJson.Page(0));

        var page = RenderAt("/runs?filter=" + Uri.EscapeDataString("status = \"failed\""));

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=runs-no-match]")));
        Assert.Equal("status = \"failed\"", page.Find("[data-test=filter-form] input").GetAttribute("value"));
        Assert.Contains("GET api/runs?skip=0&take=25&filter=status = \"failed\"", Tracker.Requests);
        Assert.Empty(page.FindAll("[data-test=runs-empty]"));
    }

    [Fact]
    public void Columns_from_the_address_are_asked_of_the_tracker_and_shown_with_their_values()
    {
        Tracker.Json("api/runs?", TrackerJson.Page(2,
            Summary(First, "brave-otter", @params: """{"learning_rate":"3e-5"}""", metrics: """{"eval/accuracy":0.9312}"""),
            Summary(Second, "calm-heron", @params: "{}", metrics: "{}")));

        var page = RenderAt("/runs?columns=params.learning_rate,metrics.eval/accuracy");

        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));
        Assert.Contains("GET api/runs?skip=0&take=25&params=learning_rate&metrics=eval/accuracy", Tracker.Requests);
        var headers = page.FindAll("thead th").Select(th => th.TextContent.Trim()).ToList();
        Assert.Contains("params.learning_rate", headers);
        Assert.Contains("metrics.eval/accuracy", headers);
        Assert.Equal(["3e-5", "—"], page.FindAll("[data-column='params.learning_rate']").Select(c => c.TextContent.Trim()));
        Assert.Equal(["0.9312", "—"], page.FindAll("[data-column='metrics.eval/accuracy']").Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public void The_column_picker_lists_the_keys_runs_use_and_a_chosen_key_becomes_a_column()
    {
        TwoRuns();
        Tracker.Json("api/runs/keys", """{"params":["batch_size","learning_rate"],"metrics":["eval/accuracy","train/loss"],"tags":[],"metadata":["precision"]}""");
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));

        page.Find("[data-test=columns]").Click();
        page.WaitForAssertion(() => Assert.Equal(
            ["params.batch_size", "params.learning_rate", "metrics.train/loss", "metrics.eval/accuracy"],
            page.FindAll("[data-test=column-picker] [data-column]").Select(c => c.GetAttribute("data-column"))));
        page.Find("[data-column='metrics.eval/accuracy']").Click();

        page.WaitForAssertion(() => Assert.Contains("GET api/runs?skip=0&take=25&metrics=eval/accuracy", Tracker.Requests));
        page.WaitForAssertion(() => Assert.Contains("metrics.eval/accuracy", page.FindAll("thead th").Select(th => th.TextContent.Trim())));
        Assert.EndsWith("/runs?columns=metrics.eval%2Faccuracy", Navigation.Uri, StringComparison.Ordinal);
        Assert.Equal("true", page.Find("[data-test=column-picker] [data-column='metrics.eval/accuracy']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Clicking_a_column_header_sorts_on_the_tracker_and_the_address_keeps_the_order()
    {
        TwoRuns();
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));
        Assert.Equal("GET api/runs?skip=0&take=25", RunListRequests.Single());

        page.FindAll("th").First(th => th.TextContent.Trim() == "Run").QuerySelector(".sortable-column-header")!.Click();

        page.WaitForAssertion(() => Assert.Contains("GET api/runs?skip=0&take=25&orderBy=name asc", Tracker.Requests));
        Assert.EndsWith("/runs?orderBy=name%20asc", Navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void An_order_from_the_address_is_sent_on_the_first_request()
    {
        TwoRuns();

        var page = RenderAt("/runs?orderBy=" + Uri.EscapeDataString("metrics.eval/accuracy desc") + "&columns=metrics.eval/accuracy");

        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));
        Assert.Equal("GET api/runs?skip=0&take=25&orderBy=metrics.eval/accuracy desc&metrics=eval/accuracy", RunListRequests.First());
    }

    [Fact]
    public void The_csv_link_carries_the_filter_order_and_columns()
    {
        TwoRuns();

        var page = RenderAt("/runs?filter=" + Uri.EscapeDataString("params.learning_rate > 1e-5") + "&orderBy=name%20asc&columns=params.learning_rate,metrics.eval/accuracy");

        page.WaitForAssertion(() => Assert.Contains("brave-otter", page.Markup));
        Assert.Equal(
            "/runs/export.csv?filter=params.learning_rate%20%3E%201e-5&orderBy=name%20asc&params=learning_rate&metrics=eval%2Faccuracy",
            page.Find("[data-test=csv]").GetAttribute("href"));
    }

    [Fact]
    public void A_status_event_updates_the_chip_and_a_new_run_event_refreshes_the_page()
    {
        var listed = 0;
        Tracker.On("api/runs?", () => Task.FromResult(CannedTracker.Answer(HttpStatusCode.OK, Interlocked.Increment(ref listed) == 1
            ? TrackerJson.Page(1, Summary(First, "brave-otter", "queued"))
            : TrackerJson.Page(2, Summary(Second, "calm-heron", "queued"), Summary(First, "brave-otter", "running")), "application/json")));
        var events = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On("api/events", () => events.Task);
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("queued", page.Find("tbody").TextContent));

        events.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            $$"""
            event: ready
            data: {"type":"ready","runId":"{{Guid.Empty}}","status":null,"metrics":null,"at":"2025-01-02T03:06:00+00:00"}

            event: status
            data: {"type":"status","runId":"{{First}}","status":"running","metrics":null,"at":"2025-01-02T03:06:00+00:00"}

            event: status
            data: {"type":"status","runId":"{{Second}}","status":"queued","metrics":null,"at":"2025-01-02T03:06:01+00:00"}


            """, "text/event-stream"));

        page.WaitForAssertion(() => Assert.Contains("calm-heron", page.Find("tbody").TextContent));
        Assert.True(RunListRequests.Count >= 2);
        var firstRow = page.FindAll("tbody tr").Single(tr => tr.TextContent.Contains("brave-otter", StringComparison.Ordinal));
        Assert.Contains("running", firstRow.TextContent);
    }

    [Fact]
    public void A_status_event_changes_the_visible_chip_before_the_page_is_requeried()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>();
        var listed = 0;
        Tracker.On("api/runs?", () => Interlocked.Increment(ref listed) == 1
            ? Task.FromResult(CannedTracker.Answer(HttpStatusCode.OK, TrackerJson.Page(1, Summary(First, "brave-otter", "queued")), "application/json"))
            : release.Task);
        var events = new TaskCompletionSource<HttpResponseMessage>();
        Tracker.On("api/events", () => events.Task);
        var page = Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("queued", page.Find("tbody").TextContent));

        events.SetResult(CannedTracker.Answer(HttpStatusCode.OK,
            $$"""data: {"type":"status","runId":"{{First}}","status":"failed","metrics":null,"at":"2025-01-02T03:06:00+00:00"}""" + "\n\n",
            "text/event-stream"));

        // The re-query is held back: the chip changed from the event alone.
        page.WaitForAssertion(() => Assert.Contains("failed", page.Find("tbody").TextContent));
        page.WaitForAssertion(() => Assert.Equal(2, Volatile.Read(ref listed)));
        release.SetResult(CannedTracker.Answer(HttpStatusCode.OK, TrackerJson.Page(1, Summary(First, "brave-otter", "failed")), "application/json"));
    }
}
