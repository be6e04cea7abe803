using System.Net;
using System.Net.Http.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Experiments;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Experiments;

public sealed class ExperimentsApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Experiment_is_created_once_and_reads_back_by_id_and_name_with_its_run_count()
    {
        var name = $"bert-base-{Guid.NewGuid():N}";

        var created = await client.CreateExperimentAsync(new CreateExperiment(name, "fine-tuning on spam"), CancellationToken.None);
        var duplicate = await Assert.ThrowsAsync<TrackerApiException>(() => client.CreateExperimentAsync(new CreateExperiment(name), CancellationToken.None));
        await client.CreateRunAsync(new CreateRun(name), CancellationToken.None);
        var byId = await client.GetExperimentAsync(created.Id, CancellationToken.None);
        var byName = Assert.Single(await client.ListExperimentsAsync(name, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("fine-tuning on spam", byId.Description);
        Assert.Equal(1, byId.RunCount);
        Assert.Equal(created.Id, byName.Id);
    }

    [Fact]
    public async Task Unknown_experiment_is_404_and_an_empty_name_is_400()
    {
        using var http = tracker.CreateClient();

        using var unknown = await http.GetAsync("/api/experiments/987654321");
        using var empty = await http.PostAsJsonAsync("/api/experiments", new { name = "  " });

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        var problem = await empty.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }
}
