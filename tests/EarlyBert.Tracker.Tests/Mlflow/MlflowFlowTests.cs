using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Mlflow;

/// <summary>The request sequences of MLflow's clients, written out from their documented behaviour, against the real tracker.</summary>
public sealed class MlflowFlowTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly MlflowHttp mlflow = new(tracker);

    private async Task<string> NewExperimentAsync()
    {
        var created = MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name = $"mlflow-{Guid.NewGuid():N}" }));
        return created.GetProperty("experiment_id").GetString()!;
    }

    private async Task<JsonElement> NewRunAsync(string? experimentId = null, string? runName = null) =>
        MlflowHttp.Ok(await mlflow.PostAsync("runs/create", new
        {
            experiment_id = experimentId ?? await NewExperimentAsync(),
            run_name = runName,
            start_time = MlflowHttp.Millis(tracker),
            tags = new[] { new { key = "mlflow.user", value = "ana" }, new { key = "mlflow.source.name", value = "train.py" } },
        })).GetProperty("run");

    [Fact]
    public async Task Set_experiment_on_a_new_name_gets_404_then_creates_and_reads_it_back_under_both_prefixes()
    {
        var name = $"spam-{Guid.NewGuid():N}";

        var missing = await mlflow.GetAsync($"experiments/get-by-name?experiment_name={name}");
        var created = MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name }));
        var id = created.GetProperty("experiment_id").GetString()!;
        var byId = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get?experiment_id={id}")).GetProperty("experiment");
        var byName = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get-by-name?experiment_name={name}", "/ajax-api/2.0/mlflow/")).GetProperty("experiment");
        var again = await mlflow.PostAsync("experiments/create", new { name });

        MlflowHttp.Error(missing, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal(JsonValueKind.String, created.GetProperty("experiment_id").ValueKind);
        Assert.Equal(name, byId.GetProperty("name").GetString());
        Assert.Equal(id, byName.GetProperty("experiment_id").GetString());
        Assert.Equal("active", byId.GetProperty("lifecycle_stage").GetString());
        Assert.Equal($"mlflow-artifacts:/{id}", byId.GetProperty("artifact_location").GetString());
        Assert.Equal(MlflowHttp.Millis(tracker), byId.GetProperty("creation_time").GetInt64());
        MlflowHttp.Error(again, HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS");
    }

    [Fact]
    public async Task Default_experiment_0_always_exists_and_takes_runs_without_an_experiment()
    {
        var experiment = MlflowHttp.Ok(await mlflow.GetAsync("experiments/get?experiment_id=0")).GetProperty("experiment");
        var run = MlflowHttp.Ok(await mlflow.PostAsync("runs/create", new { start_time = MlflowHttp.Millis(tracker) })).GetProperty("run");
        var listed = MlflowHttp.Ok(await mlflow.GetAsync("experiments/list")).GetProperty("experiments");
        var delete = await mlflow.PostAsync("experiments/delete", new { experiment_id = "0" });

        Assert.Equal("0", experiment.GetProperty("experiment_id").GetString());
        Assert.Equal("Default", experiment.GetProperty("name").GetString());
        Assert.Equal("0", run.GetProperty("info").GetProperty("experiment_id").GetString());
        Assert.Contains(listed.EnumerateArray(), e => e.GetProperty("experiment_id").GetString() == "0");
        MlflowHttp.Error(delete, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Start_run_log_params_in_chunks_of_100_metrics_with_steps_and_end_run_make_an_ordinary_tracker_run()
    {
        var experimentId = await NewExperimentAsync();
        var run = await NewRunAsync(experimentId, "bert-spam");
        var runId = run.GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var @params = Enumerable.Range(chunk * 100, chunk < 2 ? 100 : 50).Select(i => new { key = $"p{i:000}", value = $"{i}" }).ToArray();
            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new { run_id = runId, @params }));
        }

        for (var step = 0; step < 5; step++)
        {
            var metrics = new object[]
            {
                new { key = "train/loss", value = 1.0 / (step + 1), timestamp = now + step, step },
                new { key = "eval/accuracy", value = 0.5 + step / 10.0, timestamp = now + step, step },
            };
            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new { run_id = runId, metrics }));
        }

        var ended = MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = now + 10 })).GetProperty("run_info");
        var read = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var trackerRun = await tracker.Client().GetRunAsync(Guid.Parse(runId), CancellationToken.None);

        Assert.Equal("FINISHED", ended.GetProperty("status").GetString());
        Assert.Equal(now + 10, ended.GetProperty("end_time").GetInt64());
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", read.GetProperty("info").GetProperty("artifact_uri").GetString());
        Assert.Equal("ana", read.GetProperty("info").GetProperty("user_id").GetString());
        Assert.Equal(250, read.GetProperty("data").GetProperty("params").GetArrayLength());
        var accuracy = read.GetProperty("data").GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("key").GetString() == "eval/accuracy");
        Assert.Equal(0.9, accuracy.GetProperty("value").GetDouble(), 12);
        Assert.Equal(4, accuracy.GetProperty("step").GetInt64());
        Assert.Equal(now + 4, accuracy.GetProperty("timestamp").GetInt64());

        // The same record through the tracker's own API: name, status, tags, params, metrics, and who logged it.
        Assert.Equal("bert-spam", trackerRun.Name);
        Assert.Equal("finished", trackerRun.Status);
        Assert.Equal("bert-spam", trackerRun.Tags["mlflow.runName"]);
        Assert.Equal("train.py", trackerRun.Tags["mlflow.source.name"]);
        Assert.Equal("ana", trackerRun.Tags["mlflow.user"]);
        Assert.Equal(250, trackerRun.Params.Count);
        Assert.Equal("mlflow-rest-api", trackerRun.Metadata["logged_by"].GetString());
        Assert.Equal(5, trackerRun.Metrics.Single(m => m.Key == "train/loss").PointCount);
    }

    [Fact]
    public async Task Resumed_run_goes_back_to_running_and_keeps_its_data()
    {
        var run = await NewRunAsync();
        var runId = run.GetProperty("info").GetProperty("run_id").GetString()!;
        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "2e-5" }));
        MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new { run_id = runId, status = "FINISHED", end_time = MlflowHttp.Millis(tracker) }));

        // mlflow.start_run(run_id=…): get the run, then update it to RUNNING with its previous end time.
        var existing = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={runId}")).GetProperty("run");
        var resumed = MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new
        {
            run_id = runId, status = "RUNNING", end_time = existing.GetProperty("info").GetProperty("end_time").GetInt64(),
        })).GetProperty("run_info");
        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 0.3, timestamp = MlflowHttp.Millis(tracker), step = 7 }));
        var read = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_uuid={runId}")).GetProperty("run");

        Assert.Equal("FINISHED", existing.GetProperty("info").GetProperty("status").GetString());
        Assert.Equal("RUNNING", resumed.GetProperty("status").GetString());
        Assert.Equal("2e-5", read.GetProperty("data").GetProperty("params")[0].GetProperty("value").GetString());
        Assert.Equal(7, read.GetProperty("data").GetProperty("metrics")[0].GetProperty("step").GetInt64());
    }

    [Fact]
    public async Task Log_metric_without_a_step_three_times_keeps_three_values_at_step_0_in_order()
    {
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        foreach (var (value, offset) in new[] { (0.5, 0L), (0.25, 1L), (0.75, 2L) })
        {
            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value, timestamp = now + offset }));
        }

        var history = MlflowHttp.Ok(await mlflow.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics");
        var firstPage = MlflowHttp.Ok(await mlflow.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss&max_results=2"));
        var secondPage = MlflowHttp.Ok(await mlflow.GetAsync(
            $"metrics/get-history?run_id={runId}&metric_key=loss&max_results=2&page_token={Uri.EscapeDataString(firstPage.GetProperty("next_page_token").GetString()!)}"));
        var latest = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("data").GetProperty("metrics")[0];
        var chartPoints = await tracker.CountAsync(
            "SELECT count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.run_id = $1", Guid.Parse(runId));

        Assert.Equal([0.5, 0.25, 0.75], history.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
        Assert.All(history.EnumerateArray(), m => Assert.Equal(0, m.GetProperty("step").GetInt64()));
        Assert.Equal([now, now + 1, now + 2], history.EnumerateArray().Select(m => m.GetProperty("timestamp").GetInt64()));
        Assert.Equal(2, firstPage.GetProperty("metrics").GetArrayLength());
        Assert.Equal(0.75, secondPage.GetProperty("metrics")[0].GetProperty("value").GetDouble());
        Assert.False(secondPage.TryGetProperty("next_page_token", out _));
        Assert.Equal(0.75, latest.GetProperty("value").GetDouble());
        Assert.Equal(1, chartPoints);
    }

    [Fact]
    public async Task The_same_log_batch_sent_twice_stores_its_points_once()
    {
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        var batch = new
        {
            run_id = runId,
            metrics = new[]
            {
                new { key = "loss", value = 0.9, timestamp = now, step = 0L },
                new { key = "loss", value = 0.8, timestamp = now + 1, step = 0L },
                new { key = "loss", value = 0.7, timestamp = now + 2, step = 1L },
            },
            @params = new[] { new { key = "lr", value = "0.01" } },
        };

        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", batch));
        var before = await tracker.SnapshotAsync(Guid.Parse(runId));
        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", batch));
        var after = await tracker.SnapshotAsync(Guid.Parse(runId));
        var history = MlflowHttp.Ok(await mlflow.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics");

        Assert.Equal(before, after);
        Assert.Equal([0.9, 0.8, 0.7], history.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task A_refused_batch_leaves_no_value_visible_and_concurrent_copies_of_a_batch_store_once()
    {
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new
        {
            run_id = runId, metrics = new[] { new { key = "loss", value = 1.0, timestamp = now, step = 0 } }, @params = new[] { new { key = "lr", value = "0.1" } },
        }));

        // A second value at step 0 with a param that contradicts the stored one: refused as a whole.
        var refused = await mlflow.PostAsync("runs/log-batch", new
        {
            run_id = runId, metrics = new[] { new { key = "loss", value = 2.0, timestamp = now + 1, step = 0 } }, @params = new[] { new { key = "lr", value = "0.2" } },
        });
        var afterRefusal = MlflowHttp.Ok(await mlflow.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics");
        var batch = new
        {
            run_id = runId,
            metrics = new[] { new { key = "loss", value = 2.0, timestamp = now + 1, step = 0 }, new { key = "loss", value = 3.0, timestamp = now + 2, step = 1 } },
        };
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => mlflow.PostAsync("runs/log-batch", batch)));
        var history = MlflowHttp.Ok(await mlflow.GetAsync($"metrics/get-history?run_id={runId}&metric_key=loss")).GetProperty("metrics");

        MlflowHttp.Error(refused, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal([1.0], afterRefusal.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
        Assert.All(answers, answer => MlflowHttp.Ok(answer));
        Assert.Equal([1.0, 2.0, 3.0], history.EnumerateArray().Select(m => m.GetProperty("value").GetDouble()));
    }

    [Fact]
    public async Task Search_maps_mlflow_statuses_to_the_trackers_and_failed_covers_crashed_runs()
    {
        var experimentId = await NewExperimentAsync();
        var failed = (await NewRunAsync(experimentId, "a-failed")).GetProperty("info").GetProperty("run_id").GetString()!;
        var killed = (await NewRunAsync(experimentId, "b-killed")).GetProperty("info").GetProperty("run_id").GetString()!;
        var crashed = (await NewRunAsync(experimentId, "c-crashed")).GetProperty("info").GetProperty("run_id").GetString()!;
        MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new { run_id = failed, status = "FAILED" }));
        MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new { run_id = killed, status = "KILLED" }));
        await tracker.CountAsync("UPDATE runs SET status = 'crashed' WHERE id = $1 RETURNING 1", Guid.Parse(crashed));
        async Task<string[]> NamesAsync(string filter) =>
            MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new { experiment_ids = new[] { experimentId }, filter, order_by = new[] { "attributes.run_name ASC" } }))
                .GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_name").GetString()!).ToArray();

        Assert.Equal(["a-failed", "c-crashed"], await NamesAsync("attributes.status = 'FAILED'"));
        Assert.Equal(["b-killed"], await NamesAsync("status IN ('KILLED', 'RUNNING')"));
        Assert.Equal(["a-failed", "b-killed"], await NamesAsync("run_name LIKE '%-%' and tags.`mlflow.runName` != 'c-crashed'"));
        Assert.Equal("FAILED", MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={crashed}")).GetProperty("run").GetProperty("info").GetProperty("status").GetString());
        Assert.Equal("cancelled", (await tracker.Client().GetRunAsync(Guid.Parse(killed), CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Params_are_write_once_and_nan_and_infinities_travel_as_strings()
    {
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        var now = MlflowHttp.Millis(tracker);
        MlflowHttp.Ok(await mlflow.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" }));
        var same = await mlflow.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.1" });
        var other = await mlflow.PostAsync("runs/log-parameter", new { run_id = runId, key = "lr", value = "0.2" });
        MlflowHttp.Ok(await mlflow.PostTextAsync("runs/log-batch",
            $$"""{"run_id":"{{runId}}","metrics":[{"key":"a","value":"NaN","timestamp":{{now}},"step":0},{"key":"b","value":"Infinity","timestamp":"{{now}}","step":"1"},{"key":"c","value":"-Infinity","timestamp":{{now}}}]}"""));
        using var response = await mlflow.Client.GetAsync($"/api/2.0/mlflow/runs/get?run_id={runId}");
        var text = await response.Content.ReadAsStringAsync();

        MlflowHttp.Ok(same);
        Assert.Contains("0.2", MlflowHttp.Error(other, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        Assert.Contains("\"value\":\"NaN\"", text);
        Assert.Contains("\"value\":\"Infinity\"", text);
        Assert.Contains("\"value\":\"-Infinity\"", text);
    }

    [Fact]
    public async Task Tags_set_and_deleted_and_the_run_name_tag_renames_the_run()
    {
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        MlflowHttp.Ok(await mlflow.PostAsync("runs/set-tag", new { run_id = runId, key = "team", value = "nlp" }));
        MlflowHttp.Ok(await mlflow.PostAsync("runs/set-tag", new { run_id = runId, key = "mlflow.runName", value = "renamed" }));
        MlflowHttp.Ok(await mlflow.PostAsync("runs/delete-tag", new { run_id = runId, key = "team" }));
        var again = await mlflow.PostAsync("runs/delete-tag", new { run_id = runId, key = "team" });
        var read = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={runId}")).GetProperty("run");

        MlflowHttp.Error(again, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal("renamed", read.GetProperty("info").GetProperty("run_name").GetString());
        Assert.DoesNotContain(read.GetProperty("data").GetProperty("tags").EnumerateArray(), t => t.GetProperty("key").GetString() == "team");
    }

    [Fact]
    public async Task Search_runs_translates_mlflow_filters_and_orders_by_a_metric()
    {
        var experimentId = await NewExperimentAsync();
        var now = MlflowHttp.Millis(tracker);
        var ids = new List<string>();
        foreach (var (lr, accuracy) in new[] { ("2e-5", 0.95), ("2e-5", 0.85), ("1e-4", 0.97) })
        {
            var runId = (await NewRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString()!;
            ids.Add(runId);
            MlflowHttp.Ok(await mlflow.PostAsync("runs/log-batch", new
            {
                run_id = runId,
                metrics = new[] { new { key = "acc", value = accuracy, timestamp = now, step = 1 } },
                @params = new[] { new { key = "lr", value = lr } },
                tags = new[] { new { key = "t", value = "v" } },
            }));
        }

        MlflowHttp.Ok(await mlflow.PostAsync("runs/update", new { run_id = ids[0], status = "FINISHED", end_time = now }));
        var found = MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId },
            filter = "metrics.acc > 0.9 and params.lr = '2e-5' and tags.t = 'v'",
        })).GetProperty("runs");
        var ordered = MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId }, order_by = new[] { "metrics.acc DESC" }, max_results = 2,
        }));
        var finished = MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new
        {
            experiment_ids = new[] { experimentId }, filter = "attributes.status = 'FINISHED' and tags.\"mlflow.user\" = 'ana'",
        })).GetProperty("runs");
        var bad = await mlflow.PostAsync("runs/search", new { experiment_ids = new[] { experimentId }, filter = "metrics.acc > 0.9 or params.lr = 'x'" });

        Assert.Equal(ids[0], Assert.Single(found.EnumerateArray()).GetProperty("info").GetProperty("run_id").GetString());
        Assert.Equal([ids[2], ids[0]], ordered.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("info").GetProperty("run_id").GetString()));
        Assert.True(ordered.TryGetProperty("next_page_token", out _));
        Assert.Equal(ids[0], Assert.Single(finished.EnumerateArray()).GetProperty("info").GetProperty("run_id").GetString());
        MlflowHttp.Error(bad, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
    }

    [Fact]
    public async Task Deleted_runs_and_experiments_leave_active_searches_and_come_back_on_restore()
    {
        var experimentId = await NewExperimentAsync();
        var runId = (await NewRunAsync(experimentId)).GetProperty("info").GetProperty("run_id").GetString()!;
        async Task<int> ActiveRunsAsync() => MlflowHttp.Ok(await mlflow.PostAsync("runs/search", new { experiment_ids = new[] { experimentId } }))
            .TryGetProperty("runs", out var runs) ? runs.GetArrayLength() : 0;

        MlflowHttp.Ok(await mlflow.PostAsync("runs/delete", new { run_id = runId }));
        var afterDelete = await ActiveRunsAsync();
        var stage = MlflowHttp.Ok(await mlflow.GetAsync($"runs/get?run_id={runId}")).GetProperty("run").GetProperty("info").GetProperty("lifecycle_stage").GetString();
        var write = await mlflow.PostAsync("runs/set-tag", new { run_id = runId, key = "k", value = "v" });
        MlflowHttp.Ok(await mlflow.PostAsync("runs/restore", new { run_id = runId }));
        var afterRestore = await ActiveRunsAsync();
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/delete", new { experiment_id = experimentId }));
        var deletedExperiment = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get?experiment_id={experimentId}")).GetProperty("experiment");
        var runsOfDeleted = await ActiveRunsAsync();
        var deletedOnly = MlflowHttp.Ok(await mlflow.PostAsync("experiments/search", new { view_type = "DELETED_ONLY" })).GetProperty("experiments");
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/restore", new { experiment_id = experimentId }));
        var newName = $"renamed-{Guid.NewGuid():N}";
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/update", new { experiment_id = experimentId, new_name = newName }));
        var renamed = MlflowHttp.Ok(await mlflow.PostAsync("experiments/search", new { filter = $"name = '{newName}'" })).GetProperty("experiments");

        Assert.Equal(0, afterDelete);
        Assert.Equal("deleted", stage);
        MlflowHttp.Error(write, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal(1, afterRestore);
        Assert.Equal("deleted", deletedExperiment.GetProperty("lifecycle_stage").GetString());
        Assert.Equal(0, runsOfDeleted);
        Assert.Contains(deletedOnly.EnumerateArray(), e => e.GetProperty("experiment_id").GetString() == experimentId);
        Assert.Equal(experimentId, Assert.Single(renamed.EnumerateArray()).GetProperty("experiment_id").GetString());
        Assert.Equal(1, await ActiveRunsAsync());
    }

    [Fact]
    public async Task A_run_deleted_through_mlflow_leaves_the_trackers_run_list_unless_deleted_runs_are_asked_for()
    {
        var runId = Guid.Parse((await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!);
        var filter = Uri.EscapeDataString($"id = '{runId}'");
        async Task<long> ListedAsync(string extra)
        {
            using var response = await mlflow.Client.GetAsync($"/api/runs?filter={filter}{extra}");
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return page.RootElement.GetProperty("totalCount").GetInt64();
        }

        var before = await ListedAsync("");
        MlflowHttp.Ok(await mlflow.PostAsync("runs/delete", new { run_id = runId.ToString("N") }));

        Assert.Equal(1, before);
        Assert.Equal(0, await ListedAsync(""));
        Assert.Equal(1, await ListedAsync("&deleted=true"));
    }

    [Fact]
    public async Task Artifacts_upload_list_and_download_through_the_artifact_proxy_with_sha256()
    {
        var run = (await NewRunAsync()).GetProperty("info");
        var runId = run.GetProperty("run_id").GetString()!;
        var root = run.GetProperty("artifact_uri").GetString()!["mlflow-artifacts:/".Length..];
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        foreach (var (path, content) in new[] { ("model/weights.bin", bytes), ("model/config.json", "{}"u8.ToArray()), ("notes.txt", "hi"u8.ToArray()) })
        {
            using var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var put = await mlflow.Client.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/{path}", body);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("{}", await put.Content.ReadAsStringAsync());
        }

        var top = MlflowHttp.Ok(await mlflow.GetAsync($"artifacts?path={root}", "/api/2.0/mlflow-artifacts/")).GetProperty("files");
        var model = MlflowHttp.Ok(await mlflow.GetAsync($"artifacts?path={root}/model", "/api/2.0/mlflow-artifacts/")).GetProperty("files");
        var runList = MlflowHttp.Ok(await mlflow.GetAsync($"artifacts/list?run_id={runId}&path=model"));
        using var download = await mlflow.Client.GetAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/weights.bin");
        var missing = await mlflow.GetAsync($"artifacts/{root}/nope.bin", "/api/2.0/mlflow-artifacts/");

        Assert.Equal(["model:True", "notes.txt:False"], top.EnumerateArray().Select(f => $"{f.GetProperty("path").GetString()}:{f.GetProperty("is_dir").GetBoolean()}"));
        Assert.Equal(["config.json", "weights.bin"], model.EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(70_000, model[1].GetProperty("file_size").GetInt64());
        Assert.Equal(["model/config.json", "model/weights.bin"], runList.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(run.GetProperty("artifact_uri").GetString(), runList.GetProperty("root_uri").GetString());
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), download.Headers.GetValues(TrackerClient.Sha256Header).Single());
        MlflowHttp.Error(missing, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        var listed = await tracker.Client().ListArtifactsAsync(Guid.Parse(runId), CancellationToken.None);
        Assert.Contains(listed, a => a.Path == "model/weights.bin" && a.Size == 70_000);
    }

    [Fact]
    public async Task Errors_have_mlflows_shape_for_unknown_routes_runs_and_bad_input()
    {
        var unknownRoute = await mlflow.PostAsync("runs/frobnicate", new { });
        var unknownAjax = await mlflow.GetAsync("nothing/here", "/ajax-api/2.0/mlflow/");
        var unknownArtifacts = await mlflow.SendAsync(HttpMethod.Delete, "/api/2.0/mlflow-artifacts/artifacts/0/x/artifacts/a", null);
        var unknownRun = await mlflow.GetAsync($"runs/get?run_id={Guid.NewGuid():N}");
        var notAnId = await mlflow.GetAsync("runs/get?run_id=zzz");
        var missingRunId = await mlflow.GetAsync("runs/get");
        var unknownExperiment = await mlflow.GetAsync("experiments/get?experiment_id=987654321");
        var runId = (await NewRunAsync()).GetProperty("info").GetProperty("run_id").GetString()!;
        var badKey = await mlflow.PostAsync("runs/log-metric", new { run_id = runId, key = "has space", value = 1.0, timestamp = 1L });
        var noTimestamp = await mlflow.PostAsync("runs/log-metric", new { run_id = runId, key = "loss", value = 1.0 });
        var malformed = await mlflow.PostTextAsync("runs/log-metric", "{not json");
        var tooMany = await mlflow.PostAsync("runs/log-batch", new
        {
            run_id = runId, @params = Enumerable.Range(0, 101).Select(i => new { key = $"p{i}", value = "1" }).ToArray(),
        });
        var badStatus = await mlflow.PostAsync("runs/update", new { run_id = runId, status = "DONE" });
        var emptyBody = await mlflow.PostAsync("runs/update", new { run_id = runId });

        MlflowHttp.Error(unknownRoute, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        MlflowHttp.Error(unknownAjax, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        MlflowHttp.Error(unknownArtifacts, HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
        MlflowHttp.Error(unknownRun, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowHttp.Error(notAnId, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowHttp.Error(missingRunId, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(unknownExperiment, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowHttp.Error(badKey, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(noTimestamp, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(malformed, HttpStatusCode.BadRequest, "MALFORMED_REQUEST");
        MlflowHttp.Error(tooMany, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(badStatus, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal("RUNNING", MlflowHttp.Ok(emptyBody).GetProperty("run_info").GetProperty("status").GetString());
    }
}
