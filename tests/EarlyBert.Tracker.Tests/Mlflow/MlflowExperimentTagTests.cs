using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Mlflow;

/// <summary>
/// MLflow's experiment tags (<c>experiments/create</c> tags, <c>set-experiment-tag</c>, <c>delete-experiment-tag</c>,
/// <c>tags</c> on every experiment answer, <c>tags.&lt;key&gt;</c> in experiment filters) against the real tracker.
/// </summary>
public sealed class MlflowExperimentTagTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly MlflowHttp mlflow = new(tracker);

    private static Dictionary<string, string> Tags(JsonElement experiment)
    {
        var tags = experiment.GetProperty("tags");
        Assert.Equal(JsonValueKind.Array, tags.ValueKind);
        return tags.EnumerateArray().ToDictionary(
            t =>
            {
                // Exactly MLflow's ExperimentTag: {key, value}, both strings.
                Assert.Equal(["key", "value"], t.EnumerateObject().Select(p => p.Name).Order().ToArray());
                Assert.Equal(JsonValueKind.String, t.GetProperty("value").ValueKind);
                return t.GetProperty("key").GetString()!;
            },
            t => t.GetProperty("value").GetString()!);
    }

    private async Task<string> CreateAsync(string name, params (string Key, string Value)[] tags) =>
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new { name, tags = tags.Select(t => new { key = t.Key, value = t.Value }).ToArray() }))
            .GetProperty("experiment_id").GetString()!;

    private async Task<JsonElement> GetAsync(string experimentId) =>
        MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get?experiment_id={experimentId}")).GetProperty("experiment");

    [Fact]
    public async Task Set_experiment_on_a_new_name_with_tags_is_get_by_name_404_then_create_with_tags_then_get_then_set_experiment_tag()
    {
        // mlflow.set_experiment(name) on a new name, then mlflow.set_experiment_tags({...}), as the Python client sends them.
        var name = $"tagged-{Guid.NewGuid():N}";
        var missing = await mlflow.GetAsync($"experiments/get-by-name?experiment_name={name}");
        var created = MlflowHttp.Ok(await mlflow.PostAsync("experiments/create", new
        {
            name, tags = new[] { new { key = "team", value = "nlp" }, new { key = "mlflow.note.content", value = "spam filter" } },
        }));
        var id = created.GetProperty("experiment_id").GetString()!;
        var afterCreate = await GetAsync(id);
        var setTag = MlflowHttp.Ok(await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "dataset", value = "ham/spam v2" }));
        var byName = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/get-by-name?experiment_name={name}", "/ajax-api/2.0/mlflow/")).GetProperty("experiment");
        var searched = MlflowHttp.Ok(await mlflow.PostAsync("experiments/search", new { filter = $"name = '{name}'" })).GetProperty("experiments").EnumerateArray().Single();

        MlflowHttp.Error(missing, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Equal(JsonValueKind.String, created.GetProperty("experiment_id").ValueKind);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "nlp", ["mlflow.note.content"] = "spam filter" }, Tags(afterCreate));
        Assert.Equal(JsonValueKind.Object, setTag.ValueKind);
        Assert.Empty(setTag.EnumerateObject());
        var expected = new Dictionary<string, string> { ["team"] = "nlp", ["mlflow.note.content"] = "spam filter", ["dataset"] = "ham/spam v2" };
        Assert.Equal(expected, Tags(byName));
        Assert.Equal(expected, Tags(searched));
        foreach (var experiment in new[] { afterCreate, byName, searched })
        {
            Assert.Equal(id, experiment.GetProperty("experiment_id").GetString());
            Assert.Equal(JsonValueKind.Number, experiment.GetProperty("creation_time").ValueKind);
            Assert.Equal(JsonValueKind.Number, experiment.GetProperty("last_update_time").ValueKind);
        }

        // Tags do not change last_update_time, as in MLflow.
        Assert.Equal(afterCreate.GetProperty("last_update_time").GetInt64(), byName.GetProperty("last_update_time").GetInt64());
        Assert.Equal(3, await tracker.CountAsync("SELECT count(*) FROM experiment_tags WHERE experiment_id = $1", long.Parse(id)));
    }

    [Fact]
    public async Task Set_experiment_tag_overwrites_and_delete_experiment_tag_removes_it_then_answers_404()
    {
        var id = await CreateAsync($"overwrite-{Guid.NewGuid():N}", ("stage", "draft"), ("owner", "ana"));

        MlflowHttp.Ok(await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "stage", value = "final" }));
        var overwritten = Tags(await GetAsync(id));
        var deleted = MlflowHttp.Ok(await mlflow.PostAsync("experiments/delete-experiment-tag", new { experiment_id = id, key = "stage" }));
        var afterDelete = Tags(await GetAsync(id));
        var again = await mlflow.PostAsync("experiments/delete-experiment-tag", new { experiment_id = id, key = "stage" });
        var defaultTagged = MlflowHttp.Ok(await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = "0", key = "team", value = "all" }));

        Assert.Equal(new Dictionary<string, string> { ["stage"] = "final", ["owner"] = "ana" }, overwritten);
        Assert.Empty(deleted.EnumerateObject());
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "ana" }, afterDelete);
        Assert.Contains("stage", MlflowHttp.Error(again, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST"));
        Assert.Empty(defaultTagged.EnumerateObject());
        Assert.Equal("all", Tags(await GetAsync("0"))["team"]);
    }

    [Fact]
    public async Task Experiment_tags_are_checked_like_run_tags_and_a_refused_create_stores_nothing()
    {
        var id = await CreateAsync($"checked-{Guid.NewGuid():N}");
        var refusedName = $"refused-{Guid.NewGuid():N}";
        var deletedId = await CreateAsync($"deleted-{Guid.NewGuid():N}");
        MlflowHttp.Ok(await mlflow.PostAsync("experiments/delete", new { experiment_id = deletedId }));

        var badKeyOnCreate = await mlflow.PostAsync("experiments/create", new { name = refusedName, tags = new[] { new { key = "has space", value = "v" } } });
        var createdAnyway = await mlflow.GetAsync($"experiments/get-by-name?experiment_name={refusedName}");
        var longestValue = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "long", value = new string('v', 8000) });
        var tooLong = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "long", value = new string('v', 8001) });
        var longKey = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = new string('k', 251), value = "v" });
        var noKey = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, value = "v" });
        var nul = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = id, key = "k", value = "a\0b" });
        var noExperiment = await mlflow.PostAsync("experiments/set-experiment-tag", new { key = "k", value = "v" });
        var unknown = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = "987654321", key = "k", value = "v" });
        var onDeleted = await mlflow.PostAsync("experiments/set-experiment-tag", new { experiment_id = deletedId, key = "k", value = "v" });
        var deleteOnDeleted = await mlflow.PostAsync("experiments/delete-experiment-tag", new { experiment_id = deletedId, key = "k" });
        var deleteNoKey = await mlflow.PostAsync("experiments/delete-experiment-tag", new { experiment_id = id });

        MlflowHttp.Error(badKeyOnCreate, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(createdAnyway, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        MlflowHttp.Ok(longestValue);
        MlflowHttp.Error(tooLong, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(longKey, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(noKey, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(nul, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(noExperiment, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(unknown, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
        Assert.Contains("active", MlflowHttp.Error(onDeleted, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE"));
        MlflowHttp.Error(deleteOnDeleted, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        MlflowHttp.Error(deleteNoKey, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        Assert.Equal(new Dictionary<string, string> { ["long"] = new string('v', 8000) }, Tags(await GetAsync(id)));
    }

    [Fact]
    public async Task Experiment_search_filters_by_tags_with_equals_not_equals_like_and_ilike()
    {
        var prefix = $"filter-{Guid.NewGuid():N}";
        var lower = await CreateAsync($"{prefix}-lower", ("team", "nlp"), ("mlflow.user", "ana"));
        var upper = await CreateAsync($"{prefix}-upper", ("team", "NLP-core"));
        var untagged = await CreateAsync($"{prefix}-untagged");
        async Task<string[]> IdsAsync(string filter) =>
            MlflowHttp.Ok(await mlflow.PostAsync("experiments/search", new { filter = $"name LIKE '{prefix}%' AND {filter}", order_by = new[] { "name" } }))
                .GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("experiment_id").GetString()!).ToArray();

        Assert.Equal([lower], await IdsAsync("tags.team = 'nlp'"));
        Assert.Equal([upper], await IdsAsync("tags.team != 'nlp'"));
        Assert.Equal([lower], await IdsAsync("tags.team LIKE 'nlp%'"));
        Assert.Equal([lower, upper], await IdsAsync("tags.team ILIKE 'nlp%'"));
        Assert.Equal([lower], await IdsAsync("tags.`mlflow.user` = 'ana' and tags.\"team\" = 'nlp'"));
        Assert.Equal([lower, untagged, upper], await IdsAsync("creation_time >= 0 and last_update_time > 0"));
        Assert.Empty(await IdsAsync($"creation_time > {MlflowHttp.Millis(tracker)}"));
        var fromQuery = MlflowHttp.Ok(await mlflow.GetAsync($"experiments/search?filter={Uri.EscapeDataString($"tags.team = 'NLP-core' and name LIKE '{prefix}%'")}"));
        Assert.Equal(upper, fromQuery.GetProperty("experiments").EnumerateArray().Single().GetProperty("experiment_id").GetString());

        foreach (var refused in new[] { "tags.team > 'a'", "tags.team = 1", "tags.team IN ('nlp')", "creation_time = 'yesterday'", "params.lr = '1'", "artifact_location = 'x'" })
        {
            MlflowHttp.Error(await mlflow.PostAsync("experiments/search", new { filter = refused }), HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        }
    }
}
