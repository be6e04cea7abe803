using EarlyBert.Tracker.Client.Experiments;
using EarlyBert.Tracker.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyBert.Tracker.Experiments;

/// <summary>Endpoints over experiments.</summary>
public static class ExperimentsApi
{
    /// <summary>Maps <c>/api/experiments</c>.</summary>
    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/experiments").WithTags("Experiments");
        group.MapPost("/", CreateAsync).WithName("CreateExperiment").WithSummary("Creates an experiment; its name must be new.");
        group.MapGet("/", ListAsync).WithName("ListExperiments").WithSummary("Lists experiments by name, optionally only the one named.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetExperiment").WithSummary("Returns one experiment.");
        return app;
    }

    private static async Task<Results<Created<Experiment>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateExperiment request, ExperimentStore experiments, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > Limits.MaxNameLength || name.Any(char.IsControl))
        {
            return Problems.Invalid("name", $"An experiment name is 1 to {Limits.MaxNameLength} characters without control characters.");
        }

        if (request.Description is { Length: > Limits.MaxDescriptionLength })
        {
            return Problems.Invalid("description", $"A description is at most {Limits.MaxDescriptionLength} characters.");
        }

        if (await experiments.CreateAsync(name, request.Description ?? "", cancellationToken) is not { } experiment)
        {
            return Problems.Conflict($"An experiment named '{name}' exists already.");
        }

        loggers.CreateLogger(typeof(ExperimentsApi)).LogInformation("Created experiment {ExperimentId} {Name}", experiment.Id, name);
        return TypedResults.Created($"/api/experiments/{experiment.Id}", experiment);
    }

    private static async Task<Ok<List<Experiment>>> ListAsync(ExperimentStore experiments, CancellationToken cancellationToken, string? name = null) =>
        TypedResults.Ok(await experiments.ListAsync(name, cancellationToken));

    private static async Task<Results<Ok<Experiment>, ProblemHttpResult>> GetAsync(long id, ExperimentStore experiments, CancellationToken cancellationToken) =>
        await experiments.GetAsync(id, cancellationToken) is { } experiment
            ? TypedResults.Ok(experiment)
            : Problems.NotFound($"There is no experiment {id}.");
}
