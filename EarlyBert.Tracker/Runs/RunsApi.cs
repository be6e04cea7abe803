using System.Text.Json;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Http;
using EarlyBert.Tracker.Reproduction;
using EarlyBert.Tracker.Search;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Runs;

/// <summary>Endpoints over runs: create, read, list and search, lifecycle (status, claim, heartbeat, cancel).</summary>
public static class RunsApi
{
    internal const int MaxPageSize = 500;

    // Columns of a list page: enough for any table a person reads; the CSV export allows more.
    private const int MaxListColumns = 100;

    /// <summary>Maps <c>/api/runs</c>.</summary>
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/runs").WithTags("Runs");
        group.MapGet("/", ListAsync)
            .WithName("ListRuns")
            .WithSummary("Lists runs, newest first, optionally filtered by the search language and ordered by an attribute, metric or param.");
        group.MapGet("/keys", RunKeyReader.ReadAsync)
            .WithName("ListRunKeys")
            .WithSummary("Lists the param, metric, tag and metadata keys that runs use: the columns a run list can show.");
        group.MapPost("/", CreateAsync)
            .WithName("CreateRun")
            .WithSummary("Creates a run, queued for a worker or running.");
        group.MapGet("/{runId:guid}", GetAsync)
            .WithName("GetRun")
            .WithSummary("Returns a run with its tags, params, metadata and latest metrics.");
        group.MapPatch("/{runId:guid}", UpdateAsync)
            .WithName("UpdateRun")
            .WithSummary("Changes a run's status (legal transitions only), notes or tags.");
        group.MapPost("/claim", ClaimAsync)
            .WithName("ClaimRun")
            .WithSummary("Gives the oldest queued run to a worker and marks it running; 204 when none is queued.");
        group.MapPost("/{runId:guid}/heartbeat", HeartbeatAsync)
            .WithName("RunHeartbeat")
            .WithSummary("Records that the run's worker is alive; answers the run's status and whether cancellation was requested.");
        group.MapPost("/{runId:guid}/cancel", CancelAsync)
            .WithName("CancelRun")
            .WithSummary("Cancels a queued run, or asks the worker of a running run to stop.");
        return app;
    }

    private static async Task<Results<Ok<RunPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        RunStore runs,
        CancellationToken cancellationToken,
        int skip = 0,
        int take = 50,
        string? filter = null,
        string? orderBy = null,
        string? @params = null,
        string? metrics = null,
        bool deleted = false)
    {
        if (skip < 0 || take < 1 || take > MaxPageSize)
        {
            return Problems.Invalid("paging", $"skip must be 0 or more and take 1 to {MaxPageSize}.");
        }

        var paramKeys = SplitKeys(@params);
        var metricKeys = SplitKeys(metrics);
        if (paramKeys.Count + metricKeys.Count > MaxListColumns)
        {
            return Problems.Invalid("columns", $"A run list carries at most {MaxListColumns} param and metric columns.");
        }

        if (paramKeys.Concat(metricKeys).Select(Keys.Check).FirstOrDefault(p => p is not null) is { } keyProblem)
        {
            return Problems.Invalid("columns", keyProblem);
        }

        try
        {
            var page = await runs.ListAsync(filter, orderBy, skip, take, paramKeys, metricKeys, cancellationToken, deleted);
            return page is null
                ? Problems.Invalid("orderBy", "orderBy is created, started, ended, name, status, experiment, metrics.<key> or params.<key>, optionally followed by asc or desc.")
                : TypedResults.Ok(page);
        }
        catch (SearchSyntaxException exception)
        {
            return SyntaxProblem(exception);
        }
    }

    /// <summary>A comma-separated key list (<c>a,b</c>) as distinct keys in their order.</summary>
    internal static List<string> SplitKeys(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    internal static ProblemHttpResult SyntaxProblem(SearchSyntaxException exception) =>
        Problems.BadRequest(exception.Message, new Dictionary<string, object?>
        {
            ["position"] = exception.Position,
            ["expected"] = exception.Expected,
        });

    private static async Task<Results<Created<Run>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateRun request, RunStore runs, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Experiment))
        {
            errors["experiment"] = ["A run belongs to an experiment: give its name."];
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? $"run-{time.GetUtcNow():yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}" : request.Name.Trim();
        if (name.Length > Limits.MaxNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"A run name is at most {Limits.MaxNameLength} characters without control characters."];
        }

        var status = request.Status ?? RunStatuses.Queued;
        if (status is not (RunStatuses.Queued or RunStatuses.Running))
        {
            errors["status"] = ["A new run is queued or running."];
        }

        if (request.Config is { } config && config.ValueKind != JsonValueKind.Object)
        {
            errors["config"] = ["The config is a JSON object."];
        }

        if (request.Notes is { Length: > Limits.MaxNotesLength })
        {
            errors["notes"] = [$"Notes are at most {Limits.MaxNotesLength} characters."];
        }

        if (request.WorkerId is { Length: 0 or > Limits.MaxWorkerIdLength })
        {
            errors["workerId"] = [$"A worker id is 1 to {Limits.MaxWorkerIdLength} characters."];
        }

        AddTagErrors(request.Tags, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (runId, problem) = await runs.CreateAsync(request, name, status, cancellationToken);
        if (runId is null)
        {
            return Problems.NotFound(problem!);
        }

        var run = (await runs.GetAsync(runId.Value, cancellationToken))!;
        return TypedResults.Created($"/api/runs/{run.Id}", run);
    }

    private static void AddTagErrors(IReadOnlyDictionary<string, string>? tags, Dictionary<string, string[]> errors)
    {
        var problems = new List<string>();
        foreach (var (key, value) in tags ?? new Dictionary<string, string>())
        {
            if (Keys.Check(key) is { } keyProblem)
            {
                problems.Add(keyProblem);
            }
            else if (value is null || value.Length > Limits.MaxValueLength || value.Contains('\0', StringComparison.Ordinal))
            {
                problems.Add($"Tag '{key}' needs a value of at most {Limits.MaxValueLength} characters without NUL.");
            }
        }

        if (problems.Count > 0)
        {
            errors["tags"] = [.. problems.Take(10)];
        }
    }

    private static async Task<Results<Ok<Run>, ProblemHttpResult>> GetAsync(Guid runId, RunStore runs, CancellationToken cancellationToken) =>
        await runs.GetAsync(runId, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.NotFound($"There is no run {runId}.");

    private static async Task<Results<Ok<Run>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid runId, UpdateRun update, RunStore runs, ReproductionStore reproductions, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (update.Status is { } status && !RunStatuses.IsKnown(status))
        {
            errors["status"] = [$"'{status}' is not a status; statuses are {string.Join(", ", RunStatuses.All)}."];
        }

        if (update.Notes is { Length: > Limits.MaxNotesLength })
        {
            errors["notes"] = [$"Notes are at most {Limits.MaxNotesLength} characters."];
        }

        if (update.StatusReason is { Length: > Limits.MaxValueLength })
        {
            errors["statusReason"] = [$"A status reason is at most {Limits.MaxValueLength} characters."];
        }

        if (update.Config is { } config && config.ValueKind != JsonValueKind.Object)
        {
            errors["config"] = ["The config is a JSON object."];
        }

        AddTagErrors(update.Tags, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var (error, detail) = await runs.UpdateAsync(runId, update, cancellationToken);
        if (error == RunChangeError.None && update.Status is { } ended && RunStatuses.IsTerminal(ended))
        {
            // A reproduction gets its verdict when it ends (its metrics were sent before its end, in spool order).
            await reproductions.JudgeQuietlyAsync(runId, cancellationToken);
        }

        return error switch
        {
            RunChangeError.NotFound => Problems.NotFound(detail!),
            RunChangeError.IllegalTransition => Problems.Conflict(detail!),
            _ => TypedResults.Ok((await runs.GetAsync(runId, cancellationToken))!),
        };
    }

    private static async Task<Results<Ok<Run>, NoContent, ValidationProblem>> ClaimAsync(
        ClaimRun request, RunStore runs, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.WorkerId) || request.WorkerId.Length > Limits.MaxWorkerIdLength)
        {
            return Problems.Invalid("workerId", $"A worker id is 1 to {Limits.MaxWorkerIdLength} characters.");
        }

        var runId = await runs.ClaimAsync(request.WorkerId, cancellationToken);
        return runId is null ? TypedResults.NoContent() : TypedResults.Ok((await runs.GetAsync(runId.Value, cancellationToken))!);
    }

    private static async Task<Results<Ok<RunHeartbeat>, ProblemHttpResult>> HeartbeatAsync(Guid runId, RunStore runs, CancellationToken cancellationToken) =>
        await runs.HeartbeatAsync(runId, cancellationToken) is { } heartbeat ? TypedResults.Ok(heartbeat) : Problems.NotFound($"There is no run {runId}.");

    private static async Task<Results<Ok<Run>, ProblemHttpResult>> CancelAsync(
        Guid runId, RunStore runs, ReproductionStore reproductions, CancellationToken cancellationToken)
    {
        var (error, detail) = await runs.CancelAsync(runId, cancellationToken);
        if (error == RunChangeError.None)
        {
            await reproductions.JudgeQuietlyAsync(runId, cancellationToken);
        }

        return error switch
        {
            RunChangeError.NotFound => Problems.NotFound(detail!),
            RunChangeError.IllegalTransition => Problems.Conflict(detail!),
            _ => TypedResults.Ok((await runs.GetAsync(runId, cancellationToken))!),
        };
    }
}
