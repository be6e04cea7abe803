using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Search;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>
/// The ORDER BY of <c>runs/search</c> for every <c>order_by</c> clause, in MLflow's order: each clause sorts the runs
/// that have the value by it and puts those without it last (metrics: NaN, then missing, last in both directions);
/// params and tags sort as text, as MLflow stores them. Then <c>start_time DESC</c> unless a clause named it, then the
/// run id. The tracker's own <c>RunOrder</c> takes one key with its own rules (params that are numbers by value), so
/// MLflow's several clauses are built here over the same tables.
/// </summary>
internal static class MlflowRunOrder
{
    private const string StartTime = "COALESCE(r.started_at, r.created_at)";

    /// <summary>The ORDER BY list over <c>runs r JOIN experiments e</c>; keys travel as parameters.</summary>
    public static string ToSql(IReadOnlyList<string>? orderBy, SqlParameters parameters)
    {
        var keys = new List<string>();
        var sortsByStart = false;
        foreach (var text in orderBy ?? [])
        {
            var clause = MlflowFilter.ParseOrderClause(text);
            var direction = clause.Ascending ? "ASC" : "DESC";
            if (clause.Scope == "metrics")
            {
                var value = $"(SELECT x.last_value FROM metric_series x WHERE x.run_id = r.id AND x.key = {parameters.Add(CheckKey(clause))})";
                keys.Add($"{value} IS NULL, {value} = 'NaN'::float8, {value} {direction}");
                continue;
            }

            var expression = clause.Scope switch
            {
                "params" => $"(SELECT x.value FROM params x WHERE x.run_id = r.id AND x.key = {parameters.Add(CheckKey(clause))})",
                "tags" => $"(SELECT x.value FROM run_tags x WHERE x.run_id = r.id AND x.key = {parameters.Add(CheckKey(clause))})",
                _ => Attribute(clause),
            };
            sortsByStart |= expression == StartTime;
            keys.Add($"{expression} IS NULL, {expression} {direction}");
        }

        if (!sortsByStart)
        {
            keys.Add($"{StartTime} DESC");
        }

        keys.Add("r.id");
        return string.Join(", ", keys);
    }

    private static string CheckKey(MlflowOrderClause clause) =>
        Http.Keys.Check(clause.Name) is { } problem
            ? throw MlflowException.Invalid($"Invalid order_by clause '{clause.Text}': {problem}")
            : clause.Name;

    private static string Attribute(MlflowOrderClause clause) => clause.Name switch
    {
        "start_time" or "created" => StartTime,
        "end_time" => "r.ended_at",
        "run_name" => "r.name",
        "run_id" => "r.id",
        // MLflow's status words, so the order is MLflow's (the tracker's words sort differently).
        "status" => $"""
            CASE r.status WHEN '{RunStatuses.Queued}' THEN 'SCHEDULED' WHEN '{RunStatuses.Running}' THEN 'RUNNING'
            WHEN '{RunStatuses.Finished}' THEN 'FINISHED' WHEN '{RunStatuses.Cancelled}' THEN 'KILLED' ELSE 'FAILED' END
            """,
        "experiment_id" => MlflowExperimentStore.IdOrder,
        "user_id" => $"(SELECT x.value FROM run_tags x WHERE x.run_id = r.id AND x.key = '{MlflowRunStore.UserTag}')",
        _ => throw MlflowException.Invalid(
            $"Invalid order_by clause '{clause.Text}': order by metrics.<key>, params.<key>, tags.<key> or an attribute " +
            "(start_time, end_time, run_name, run_id, status, experiment_id, user_id)."),
    };
}
