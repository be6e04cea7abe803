using System.Text.Json.Nodes;

namespace EarlyBert.Tracker.Tests.Hardening;

/// <summary>
/// Malformed requests for the MLflow-compatible routes, which are not in the OpenAPI document (MLflow's REST reference
/// is their contract): an explicit table of each route with a well-formed request, made bad member by member.
/// </summary>
public static class MlflowRoutes
{
    /// <summary>The requests, aimed at <paramref name="runId"/> of experiment <paramref name="experimentId"/>.</summary>
    public static List<MalformedRequest> For(Guid runId, long experimentId)
    {
        var run = runId.ToString("N");
        var experiment = experimentId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var requests = new List<MalformedRequest>();

        void Post(string route, JsonObject sample)
        {
            // MLflow reads an empty body as {}: every member is optional on the wire.
            foreach (var (what, json) in JsonMutations.Of(sample, emptyBodyIsValid: true))
            {
                requests.Add(new MalformedRequest("POST", "/api/2.0/mlflow/" + route, json, "POST mlflow/" + route, "body " + what, true));
            }
        }

        void Get(string route, params (string Name, string Value)[] query)
        {
            foreach (var (name, _) in query)
            {
                foreach (var (what, bad) in name is "max_results" ? BadValues.UrlIntegers() : BadValues.UrlStrings())
                {
                    var url = "/api/2.0/mlflow/" + route + "?" + string.Join('&', query.Select(q => $"{q.Name}={(q.Name == name ? bad : Uri.EscapeDataString(q.Value))}"));
                    requests.Add(new MalformedRequest("GET", url, null, "GET mlflow/" + route, $"query {name}: {what}", true));
                }
            }
        }

        Post("experiments/create", new JsonObject
        {
            ["name"] = "hardening-mlflow", ["tags"] = new JsonArray(new JsonObject { ["key"] = "team", ["value"] = "nlp" }),
        });
        Get("experiments/get", ("experiment_id", experiment));
        Get("experiments/get-by-name", ("experiment_name", "x"));
        Post("experiments/search", new JsonObject
        {
            ["filter"] = "name = 'x'", ["max_results"] = 10, ["page_token"] = "", ["view_type"] = "ACTIVE_ONLY",
            ["order_by"] = new JsonArray("name ASC", "creation_time DESC"),
        });
        Post("experiments/set-experiment-tag", new JsonObject { ["experiment_id"] = experiment, ["key"] = "team", ["value"] = "nlp" });
        Post("experiments/delete-experiment-tag", new JsonObject { ["experiment_id"] = experiment, ["key"] = "team" });
        Get("experiments/search", ("filter", "name = 'x'"), ("max_results", "10"), ("view_type", "ACTIVE_ONLY"), ("page_token", ""));
        Get("experiments/list", ("view_type", "ACTIVE_ONLY"), ("max_results", "10"));
        Post("experiments/update", new JsonObject { ["experiment_id"] = experiment, ["new_name"] = "hardening-renamed" });
        Post("experiments/delete", new JsonObject { ["experiment_id"] = "x" + experiment });
        Post("experiments/restore", new JsonObject { ["experiment_id"] = "x" + experiment });
        Post("runs/create", new JsonObject
        {
            ["experiment_id"] = experiment, ["run_name"] = "r", ["start_time"] = 1_700_000_000_000, ["user_id"] = "u",
            ["tags"] = new JsonArray(new JsonObject { ["key"] = "k", ["value"] = "v" }),
        });
        Get("runs/get", ("run_id", run));
        Post("runs/update", new JsonObject { ["run_id"] = run, ["status"] = "RUNNING", ["end_time"] = 1_700_000_000_000, ["run_name"] = "n" });
        Post("runs/delete", new JsonObject { ["run_id"] = "x" + run });
        Post("runs/restore", new JsonObject { ["run_id"] = "x" + run });
        Post("runs/search", new JsonObject
        {
            ["experiment_ids"] = new JsonArray(experiment), ["filter"] = "params.lr = '1'", ["max_results"] = 10,
            ["order_by"] = new JsonArray("metrics.loss DESC"), ["page_token"] = "", ["run_view_type"] = "ACTIVE_ONLY",
        });
        Post("runs/log-metric", new JsonObject { ["run_id"] = run, ["key"] = "loss", ["value"] = 1.5, ["timestamp"] = 1_700_000_000_000, ["step"] = 1 });
        Post("runs/log-parameter", new JsonObject { ["run_id"] = run, ["key"] = "p", ["value"] = "v" });
        Post("runs/set-tag", new JsonObject { ["run_id"] = run, ["key"] = "t", ["value"] = "v" });
        Post("runs/delete-tag", new JsonObject { ["run_id"] = run, ["key"] = "absent-tag" });
        Post("runs/log-batch", new JsonObject
        {
            ["run_id"] = run,
            ["metrics"] = new JsonArray(new JsonObject { ["key"] = "loss", ["value"] = 1.5, ["timestamp"] = 1_700_000_000_000, ["step"] = 1 }),
            ["params"] = new JsonArray(new JsonObject { ["key"] = "p", ["value"] = "v" }),
            ["tags"] = new JsonArray(new JsonObject { ["key"] = "t", ["value"] = "v" }),
        });
        Post("runs/log-model", new JsonObject { ["run_id"] = run, ["model_json"] = "{}" });
        Get("metrics/get-history", ("run_id", run), ("metric_key", "loss"), ("max_results", "10"));
        Get("artifacts/list", ("run_id", run), ("path", ""));

        foreach (var (what, bad) in BadValues.UrlStrings())
        {
            requests.Add(new MalformedRequest("GET", "/api/2.0/mlflow-artifacts/artifacts?path=" + bad, null, "GET mlflow-artifacts/artifacts", "query path: " + what, true));
            var upload = $"/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run}/artifacts/{bad}";
            requests.Add(new MalformedRequest("PUT", upload, "bytes", "PUT mlflow-artifacts/artifacts/{path}", "path: " + what, true));
            requests.Add(new MalformedRequest("GET", upload, null, "GET mlflow-artifacts/artifacts/{path}", "path: " + what, true));
        }

        return requests;
    }
}
