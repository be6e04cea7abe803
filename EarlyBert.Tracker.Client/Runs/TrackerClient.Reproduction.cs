using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Client;

/// <summary>Reproductions: queue one, read its verdict and differences.</summary>
public sealed partial class TrackerClient
{
    /// <summary>
    /// Queues a reproduction of <paramref name="runId"/> (its stored config verbatim, with <paramref name="overrides"/>
    /// applied and recorded); a run that has not ended or has no stored config is a 409.
    /// </summary>
    public async Task<Run> ReproduceRunAsync(Guid runId, IReadOnlyDictionary<string, string>? overrides, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"api/runs/{runId}/reproduce", new ReproduceRun(overrides),
            ReproductionJsonContext.Default.ReproduceRun, cancellationToken);
        return await ReadAsync(response, Json.Run, cancellationToken);
    }

    /// <summary>The verdict, preconditions, environment differences and per-step differences of a reproduction.</summary>
    public Task<ReproductionReport> GetReproductionAsync(Guid runId, CancellationToken cancellationToken) =>
        GetAsync($"api/runs/{runId}/reproduction", ReproductionJsonContext.Default.ReproductionReport, cancellationToken);
}

/// <summary>JSON metadata of the reproduction contracts, with the options of <see cref="TrackerJsonContext"/>.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ReproduceRun))]
[JsonSerializable(typeof(ReproductionReport))]
[JsonSerializable(typeof(RunReproduction))]
[JsonSerializable(typeof(ReproductionDivergence))]
[JsonSerializable(typeof(List<ReproductionDifference>))]
public sealed partial class ReproductionJsonContext : JsonSerializerContext;
