using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bunit;
using EarlyBert.Recipes;
using EarlyBert.Web.Components.Pages.NewRun;
using EarlyBert.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.NewRun;

public sealed class NewRunPageTests : DashboardTestContext
{
    // The pages hand what the server prerender loaded to the circuit through the persisted component state.
    public NewRunPageTests() => Context.AddBunitPersistentComponentState();

    private static readonly Guid SourceId = Guid.Parse("5e1f0c3a-7b2d-4e6f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid QueuedId = Guid.Parse("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d");

    // The hyperparameters section of the card this project started from, as transformers writes it.
    private const string CardSection = """
        ### Training hyperparameters

        The following hyperparameters were used during training:
        - optimizer: {'name': 'AdamWeightDecay', 'learning_rate': {'class_name': 'PolynomialDecay', 'config': {'initial_learning_rate': 2e-05, 'decay_steps': 669, 'end_learning_rate': 0.0, 'power': 1.0, 'cycle': False, 'name': None}}, 'decay': 0.0, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-08, 'amsgrad': False, 'weight_decay_rate': 0.01}
        - training_precision: mixed_bfloat16

        ### Framework versions

        - Transformers 4.18.0
        - TensorFlow 2.8.0
        """;

    private NavigationManager Navigation => Context.Services.GetRequiredService<NavigationManager>();

    private static string EditorText(IRenderedComponent<NewRunPage> page) => page.Find("[data-test=config] textarea").GetAttribute("value") ?? "";

    private void CannedQueue()
    {
        Tracker.Json("api/experiments", """{"id":1,"name":"default","description":"","createdAt":"2025-01-02T03:04:05+00:00","runCount":0}""",
            HttpStatusCode.Created, HttpMethod.Post);
        Tracker.Json("api/runs", RunJson.Of(QueuedId, "queued-one", "queued"), HttpStatusCode.Created, HttpMethod.Post);
    }

    // The body of the one run creation the page sent, parsed.
    private JsonObject QueuedRunBody() =>
        JsonNode.Parse(Tracker.Bodies.Single(b => b.Contains("\"status\"", StringComparison.Ordinal)))!.AsObject();

    [Fact]
    public void A_preset_fills_the_editor_with_its_config_and_the_check_passes()
    {
        var page = Render<NewRunPage>();
        Assert.True(page.Find("[data-test=queue]").HasAttribute("disabled"));

        page.Find("[data-test=preset-smoke]").Click();

        page.WaitForAssertion(() => Assert.Equal(RunConfigJson.ToJson(Presets.Get("smoke")), EditorText(page)));
        Assert.Contains("the smoke preset", page.Find("[data-test=source]").TextContent);
        Assert.Contains("builtin:random", page.Find("[data-test=config-ok]").TextContent);
        Assert.Empty(page.FindAll("[data-test=config-error]"));
        Assert.False(page.Find("[data-test=queue]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_pasted_card_section_is_imported_with_the_cards_optimizer_precision_and_versions()
    {
        var page = Render<NewRunPage>();

        page.Find("[data-test=card] textarea").Change(CardSection);
        page.Find("[data-test=import-card]").Click();

        page.WaitForAssertion(() => Assert.NotEmpty(EditorText(page)));
        var config = RunConfigJson.Parse(EditorText(page));
        Assert.Equal(669, config.Optimizer["learning_rate"]!["config"]!["decay_steps"]!.GetValue<long>());
        Assert.Equal("bf16-mixed", config.Training.Precision);
        Assert.Equal("4.18.0", config.ReferenceVersions["Transformers"]);
        Assert.Contains("an imported model card", page.Find("[data-test=source]").TextContent);
        Assert.Single(page.FindAll("[data-test=config-ok]"));
        Assert.Empty(page.FindAll("[data-test=card-error]"));
    }

    [Fact]
    public void A_card_without_an_optimizer_line_shows_the_readers_error_and_leaves_the_editor_empty()
    {
        var page = Render<NewRunPage>();

        page.Find("[data-test=card] textarea").Change("### Training hyperparameters\n\n- training_precision: float32\n");
        page.Find("[data-test=import-card]").Click();

        page.WaitForAssertion(() => Assert.Contains("no '- optimizer: {…}' line", page.Find("[data-test=card-error]").TextContent));
        Assert.Equal("", EditorText(page));
        Assert.True(page.Find("[data-test=queue]").HasAttribute("disabled"));
    }

    [Fact]
    public void An_invalid_edit_shows_the_parsers_message_at_its_key_and_queues_nothing()
    {
        CannedQueue();
        var page = Render<NewRunPage>();
        page.Find("[data-test=preset-smoke]").Click();
        var edited = EditorText(page).Replace("\"batch_size\": 16", "\"batch_size\": \"many\"", StringComparison.Ordinal);
        var line = edited.Split('\n').ToList().FindIndex(l => l.Contains("\"many\"", StringComparison.Ordinal)) + 1;

        page.Find("[data-test=config] textarea").Change(edited);

        page.WaitForAssertion(() => Assert.Equal("training.batch_size", page.Find("[data-test=config-error-key]").TextContent));
        Assert.Contains($"(line {line})", page.Find("[data-test=config-error]").TextContent);
        Assert.Contains("The config is not valid", page.Find("[data-test=config-error-message]").TextContent);
        Assert.Empty(page.FindAll("[data-test=config-ok]"));
        Assert.True(page.Find("[data-test=queue]").HasAttribute("disabled"));
        Assert.DoesNotContain(Tracker.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_override_is_shown_as_an_override_error_with_its_key_and_queues_nothing()
    {
        CannedQueue();
        var page = Render<NewRunPage>();
        page.Find("[data-test=preset-quickstart]").Click();

        page.Find("[data-test=overrides] textarea").Change("training.epochs=2\ntraining.epoch=1");

        page.WaitForAssertion(() => Assert.Equal("training.epoch", page.Find("[data-test=config-error-key]").TextContent));
        Assert.Contains("(in the overrides)", page.Find("[data-test=config-error]").TextContent);
        Assert.Contains("The config has no key 'training.epoch'", page.Find("[data-test=config-error-message]").TextContent);
        Assert.True(page.Find("[data-test=queue]").HasAttribute("disabled"));
        Assert.DoesNotContain(Tracker.Requests, r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public void A_valid_draft_queues_a_run_with_the_config_and_overrides_as_the_worker_reads_them_and_opens_it()
    {
        CannedQueue();
        var page = Render<NewRunPage>();
        page.Find("[data-test=preset-smoke]").Click();
        page.Find("[data-test=overrides] textarea").Change("training.epochs=1\n# a comment\nexperiment=smoke-tests");

        page.Find("[data-test=queue]").Click();

        page.WaitForAssertion(() => Assert.Equal($"http://localhost/runs/{QueuedId}", Navigation.Uri));
        Assert.Contains("POST api/experiments", Tracker.Requests);
        Assert.Contains(Tracker.Bodies, b => b.Contains("\"smoke-tests\"", StringComparison.Ordinal) && !b.Contains("\"status\"", StringComparison.Ordinal));
        var body = QueuedRunBody();
        Assert.Equal("smoke-tests", body["experiment"]!.GetValue<string>());
        Assert.Equal("queued", body["status"]!.GetValue<string>());
        Assert.Null(body["parentRunId"]);
        // The worker parses a claimed run's config with RunConfigJson.Parse: it must read back as the edited config.
        var expected = RunConfigJson.Apply(Presets.Get("smoke"), ["training.epochs=1", "experiment=smoke-tests"]);
        Assert.Equal(RunConfigJson.ToJson(expected), RunConfigJson.ToJson(RunConfigJson.Parse(body["config"]!.ToJsonString())));
        Assert.Contains("the smoke preset", body["notes"]!.GetValue<string>());
    }

    [Fact]
    public void Clone_loads_the_stored_config_and_queues_the_edited_copy_as_a_child_of_the_run()
    {
        var stored = RunConfigJson.Apply(Presets.Get("smoke"), ["training.threads=2", "optimizer.learning_rate.config.decay_steps=12", "name=tiny"]);
        var run = RunJson.Of(SourceId, "tiny").Replace("\"config\":{}", $"\"config\":{RunConfigJson.ToNode(stored).ToJsonString()}", StringComparison.Ordinal);
        Tracker.Json($"api/runs/{SourceId}", run);
        CannedQueue();
        Navigation.NavigateTo($"/runs/new?clone={SourceId}");

        var page = Render<NewRunPage>();

        page.WaitForAssertion(() => Assert.Equal(RunConfigJson.ToJson(stored), EditorText(page)));
        Assert.Contains($"a clone of run tiny ({SourceId})", page.Find("[data-test=source]").TextContent);
        Assert.Equal($"/runs/{SourceId}", page.Find("[data-test=clone] a").GetAttribute("href"));

        page.Find("[data-test=overrides] textarea").Change("training.seed=7");
        page.Find("[data-test=queue]").Click();

        page.WaitForAssertion(() => Assert.Equal($"http://localhost/runs/{QueuedId}", Navigation.Uri));
        var body = QueuedRunBody();
        Assert.Equal(SourceId.ToString(), body["parentRunId"]!.GetValue<string>());
        Assert.Equal("tiny", body["name"]!.GetValue<string>());
        var queued = RunConfigJson.Parse(body["config"]!.ToJsonString());
        Assert.Equal(RunConfigJson.ToJson(stored with { Training = stored.Training with { Seed = 7 } }), RunConfigJson.ToJson(queued));
    }

    [Fact]
    public void Cloning_a_run_the_tracker_does_not_know_says_so_and_leaves_the_editor_empty()
    {
        Tracker.Problem($"api/runs/{SourceId}", HttpStatusCode.NotFound, "Run not found");
        Navigation.NavigateTo($"/runs/new?clone={SourceId}");

        var page = Render<NewRunPage>();

        page.WaitForAssertion(() => Assert.Contains($"There is no run {SourceId} to clone.", page.Find("[data-test=clone-error]").TextContent));
        Assert.Equal("", EditorText(page));
        Assert.True(page.Find("[data-test=queue]").HasAttribute("disabled"));
    }

    [Fact]
    public void Cloning_a_run_without_a_stored_config_says_so_instead_of_filling_in_defaults()
    {
        Tracker.Json($"api/runs/{SourceId}", RunJson.Of(SourceId, "api-made"));
        Navigation.NavigateTo($"/runs/new?clone={SourceId}");

        var page = Render<NewRunPage>();

        page.WaitForAssertion(() => Assert.Contains("Run api-made has no stored config to clone", page.Find("[data-test=clone-error]").TextContent));
        Assert.Equal("", EditorText(page));
    }

    [Fact]
    public void A_tracker_that_refuses_the_run_shows_its_reason_and_stays_on_the_page()
    {
        Tracker.Json("api/experiments", """{"id":1,"name":"default","description":"","createdAt":"2025-01-02T03:04:05+00:00","runCount":0}""",
            HttpStatusCode.Created, HttpMethod.Post);
        Tracker.Problem("api/runs", HttpStatusCode.ServiceUnavailable, "The database is not reachable", HttpMethod.Post);
        Navigation.NavigateTo("/runs/new");
        var page = Render<NewRunPage>();
        page.Find("[data-test=preset-smoke]").Click();

        page.Find("[data-test=queue]").Click();

        page.WaitForAssertion(() => Assert.Contains("The database is not reachable", page.Find("[data-test=queue-error]").TextContent));
        Assert.Equal("http://localhost/runs/new", Navigation.Uri);
    }
}
