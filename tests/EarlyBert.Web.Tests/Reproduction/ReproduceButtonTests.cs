using System.Net;
using Bunit;
using EarlyBert.Web.Components.Pages.Run;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace EarlyBert.Web.Tests.Reproduction;

public sealed class ReproduceButtonTests : DashboardTestContext
{
    // The pages hand what the server prerender loaded to the circuit through the persisted component state.
    public ReproduceButtonTests() => Context.AddBunitPersistentComponentState();

    private static readonly Guid RunId = Guid.Parse("6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a");
    private static readonly Guid ChildId = Guid.Parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<RunPage> RenderRun(string status, string config = ReproductionJson.Config)
    {
        Tracker.Json($"api/runs/{RunId}", ReproductionJson.Run(RunId, "brave-otter", status, config: config));
        Tracker.Json($"api/runs/{RunId}/artifacts", "[]");
        Tracker.Json("api/runs?", TrackerJson.Page(0));
        var page = Render<RunPage>(p => p.Add(x => x.Id, RunId));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-test=reproduce]")));
        return page;
    }

    private static string? Tooltip(IRenderedComponent<RunPage> page) =>
        page.FindComponents<MudTooltip>().Single(t => t.Markup.Contains("data-test=\"reproduce\"", StringComparison.Ordinal)).Instance switch
        {
            { Disabled: false } tooltip => tooltip.Text,
            _ => null,
        };

    [Theory]
    [InlineData("finished")]
    [InlineData("failed")]
    [InlineData("cancelled")]
    public void An_ended_run_with_a_stored_config_can_be_reproduced(string status)
    {
        var page = RenderRun(status);

        Assert.False(page.Find("[data-test=reproduce]").HasAttribute("disabled"));
        Assert.Null(Tooltip(page));
        Assert.Single(page.FindAll("[data-test=reproduce-overrides-toggle]"));
    }

    [Theory]
    [InlineData("queued", "This run is queued: only a finished, failed or cancelled run can be reproduced.")]
    [InlineData("running", "This run is running: only a finished, failed or cancelled run can be reproduced.")]
    [InlineData("crashed", "A crashed run may still be retried by the tracker (training.retries): resume it (earlybert train --resume 6f1c2a9e-0d1b-4c8e-9a57-3b2f4e5d6c7a) or reproduce it once it has finished, failed or been cancelled.")]
    public void A_run_that_has_not_ended_for_good_has_the_button_disabled_with_the_reason_as_its_tooltip(string status, string reason)
    {
        var page = RenderRun(status);

        Assert.True(page.Find("[data-test=reproduce]").HasAttribute("disabled"));
        Assert.Equal(reason, Tooltip(page));
        Assert.Empty(page.FindAll("[data-test=reproduce-overrides-toggle]"));
    }

    [Fact]
    public void A_run_without_a_stored_config_has_the_button_disabled_saying_so()
    {
        var page = RenderRun("finished", config: "{}");

        Assert.True(page.Find("[data-test=reproduce]").HasAttribute("disabled"));
        Assert.Equal("This run has no stored config to reproduce (it was reported by a trainer, not queued with a config).", Tooltip(page));
    }

    [Fact]
    public void Reproduce_queues_the_config_verbatim_and_opens_the_reproduction()
    {
        var page = RenderRun("finished");
        Tracker.Json($"api/runs/{RunId}/reproduce", ReproductionJson.Run(ChildId, "brave-otter-reproduction", "queued", parent: RunId,
            reproduction: ReproductionJson.Record(RunId, null, precondition: null)), HttpStatusCode.Created, HttpMethod.Post);

        page.Find("[data-test=reproduce]").Click();

        page.WaitForAssertion(() => Assert.Equal($"http://localhost/runs/{ChildId}", Navigation.Uri));
        Assert.Contains($"POST api/runs/{RunId}/reproduce", Tracker.Requests);
        Assert.Equal("""{"overrides":null}""", Tracker.Bodies.Single());
    }

    [Fact]
    public void Overrides_from_the_box_are_sent_as_key_value_pairs()
    {
        var page = RenderRun("finished");
        Tracker.Json($"api/runs/{RunId}/reproduce", ReproductionJson.Run(ChildId, "brave-otter-reproduction", "queued", parent: RunId,
            reproduction: ReproductionJson.Record(RunId, null, overrides: """{"training.threads":"2"}""")), HttpStatusCode.Created, HttpMethod.Post);

        page.Find("[data-test=reproduce-overrides-toggle]").Click();
        page.Find("[data-test=reproduce-overrides] textarea").Input("# two threads\ntraining.threads=2\n\ntraining.epochs=1");
        page.WaitForAssertion(() => Assert.Equal("Reproduce with overrides", page.Find("[data-test=reproduce]").TextContent.Trim()));
        page.Find("[data-test=reproduce]").Click();

        page.WaitForAssertion(() => Assert.Equal($"http://localhost/runs/{ChildId}", Navigation.Uri));
        Assert.Equal("""{"overrides":{"training.threads":"2","training.epochs":"1"}}""", Tracker.Bodies.Single());
    }

    [Fact]
    public void An_override_the_tracker_refuses_is_shown_under_the_box_naming_its_key_and_nothing_opens()
    {
        var page = RenderRun("finished");
        Tracker.On($"api/runs/{RunId}/reproduce", () => Task.FromResult(CannedTracker.Answer(HttpStatusCode.BadRequest, """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,
             "errors":{"overrides.training.thread":["Unknown key training.thread (did you mean training.threads?)."]}}
            """, "application/problem+json")), HttpMethod.Post);
        var before = Navigation.Uri;

        page.Find("[data-test=reproduce-overrides-toggle]").Click();
        page.Find("[data-test=reproduce-overrides] textarea").Input("training.thread=1");
        page.Find("[data-test=reproduce]").Click();

        page.WaitForAssertion(() => Assert.Equal(
            "Unknown key training.thread (did you mean training.threads?).",
            page.Find("[data-test=reproduce-panel] [data-test=reproduce-error]").TextContent.Trim()));
        Assert.Contains("mud-input-error", page.Find("[data-test=reproduce-overrides]").InnerHtml);
        Assert.Equal(before, Navigation.Uri);
        Assert.Single(Tracker.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public void A_line_that_is_not_key_value_is_refused_before_anything_is_sent()
    {
        var page = RenderRun("finished");
        var before = Navigation.Uri;

        page.Find("[data-test=reproduce-overrides-toggle]").Click();
        page.Find("[data-test=reproduce-overrides] textarea").Input("training.threads 1");
        page.Find("[data-test=reproduce]").Click();

        page.WaitForAssertion(() => Assert.Equal(
            "'training.threads 1' is not key=value (e.g. training.threads=1).",
            page.Find("[data-test=reproduce-error]").TextContent.Trim()));
        Assert.DoesNotContain(Tracker.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal(before, Navigation.Uri);
    }

    [Fact]
    public void A_run_that_changed_meanwhile_shows_the_trackers_refusal()
    {
        var page = RenderRun("finished");
        Tracker.Problem($"api/runs/{RunId}/reproduce", HttpStatusCode.Conflict, "Run is running", HttpMethod.Post);

        page.Find("[data-test=reproduce]").Click();

        page.WaitForAssertion(() => Assert.Equal("The run could not be reproduced: Run is running",
            page.Find("[data-test=reproduce-error]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-test=reproduce-overrides]"));
    }
}
