using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.AppHost.Tests.Platform;
using EarlyBert.Tracker.Client.Runs;
using static EarlyBert.AppHost.Tests.Training.TrainingRunTests;

namespace EarlyBert.AppHost.Tests.Dashboard;

/// <summary>
/// A run logged the way MLflow's clients log (their REST request sequence, with the platform's key as
/// <c>MLFLOW_TRACKING_TOKEN</c> sends it) is an ordinary run: the dashboard's Run page shows it with its params and the
/// client that logged it, and Compare puts it beside a run the trainer worker trained.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class MlflowRunOnDashboardTests(PlatformFixture platform)
{
    [Fact]
    public async Task Run_logged_through_the_MLflow_API_shows_on_its_Run_page_and_in_Compare_beside_a_trainer_run()
    {
        await platform.EnsureStartedAsync();
        var tracker = DashboardRuns.Tracker(platform);
        var trained = await QueueAsync(tracker, "beside-mlflow", Smoke(epochs: 1));
        using var mlflow = platform.CreateTrackerHttpClient();
        var experimentName = $"mlflow-dash-{Guid.NewGuid():N}"[..24];
        var runName = $"mlflow-run-{Guid.NewGuid():N}"[..22];

        // mlflow.set_experiment(name) on a new name, then start_run, log_params, log_metrics with steps, end_run.
        using (var missing = await mlflow.GetAsync($"/api/2.0/mlflow/experiments/get-by-name?experiment_name={experimentName}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("RESOURCE_DOES_NOT_EXIST", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_code").GetString());
        }

        var experimentId = (await PostAsync(mlflow, "experiments/create", new JsonObject { ["name"] = experimentName })).GetProperty("experiment_id").GetString();
        var runId = (await PostAsync(mlflow, "runs/create", new JsonObject
        {
            ["experiment_id"] = experimentId, ["run_name"] = runName, ["start_time"] = 1_764_000_000_000,
            ["tags"] = new JsonArray(new JsonObject { ["key"] = "mlflow.user", ["value"] = "ana" }),
        })).GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
        var metrics = new JsonArray();
        for (var step = 0; step < 10; step++)
        {
            metrics.Add(new JsonObject { ["key"] = "train/loss", ["value"] = 0.7 - 0.05 * step, ["timestamp"] = 1_764_000_000_000 + step, ["step"] = step });
        }

        await PostAsync(mlflow, "runs/log-batch", new JsonObject
        {
            ["run_id"] = runId, ["metrics"] = metrics,
            ["params"] = new JsonArray(new JsonObject { ["key"] = "learning_rate", ["value"] = "3e-05" }),
        });
        await PostAsync(mlflow, "runs/update", new JsonObject { ["run_id"] = runId, ["status"] = "FINISHED", ["end_time"] = 1_764_000_060_000 });
        var logged = Guid.ParseExact(runId, "N");
        await WaitForStatusAsync(tracker, trained.Id, RunStatuses.Finished);

        using var web = new HttpClient { BaseAddress = DashboardRuns.WebUrl(platform) };
        var runPage = await web.GetStringAsync($"/runs/{logged}");
        Assert.Contains(runName, runPage, StringComparison.Ordinal);
        Assert.Contains("learning_rate", runPage, StringComparison.Ordinal);
        Assert.Contains("mlflow-rest-api", runPage, StringComparison.Ordinal);
        Assert.Contains("finished", runPage, StringComparison.OrdinalIgnoreCase);

        var compare = await web.GetStringAsync($"/compare?runs={logged},{trained.Id}&metrics=train/loss");
        Assert.Contains($"/runs/{logged}", compare, StringComparison.Ordinal);
        Assert.Contains($"/runs/{trained.Id}", compare, StringComparison.Ordinal);
        // Both runs' learning rates in one params row (the trainer's smoke config sets its own), and the chart of the
        // metric both logged.
        Assert.Contains("3e-05", compare, StringComparison.Ordinal);
        Assert.Contains("data-metric=\"train/loss\"", compare, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string route, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync($"/api/2.0/mlflow/{route}", body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode} {answer}");
        return answer;
    }
}
