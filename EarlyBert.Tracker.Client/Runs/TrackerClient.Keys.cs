using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Client;

/// <summary>Run lists with chosen columns, the keys those columns come from, and the run list as CSV.</summary>
public sealed partial class TrackerClient
{
    /// <summary>
    /// Lists the runs that match <paramref name="filter"/> in the order of <paramref name="orderBy"/>, each carrying
    /// the values of <paramref name="params"/> and the latest values of <paramref name="metrics"/>
    /// (<see cref="RunSummary.Params"/>, <see cref="RunSummary.Metrics"/>).
    /// </summary>
    public Task<RunPage> SearchRunsAsync(
        string? filter, string? orderBy, IReadOnlyList<string> @params, IReadOnlyList<string> metrics, int skip, int take,
        CancellationToken cancellationToken) =>
        GetAsync(
            $"api/runs?skip={skip}&take={take}{Query("filter", filter)}{Query("orderBy", orderBy)}{Query("params", string.Join(',', @params))}{Query("metrics", string.Join(',', metrics))}",
            Json.RunPage, cancellationToken);

    /// <summary>The param, metric, tag and metadata keys that runs use, each list sorted.</summary>
    public Task<RunKeys> ListRunKeysAsync(CancellationToken cancellationToken) =>
        GetAsync("api/runs/keys", RunKeysJsonContext.Default.RunKeys, cancellationToken);

    /// <summary>
    /// Opens the CSV of the runs matching <paramref name="filter"/> in the order of <paramref name="orderBy"/>, with
    /// the given params and metrics as columns, as a stream read while the tracker writes it (for proxying a download).
    /// A bad filter throws <see cref="TrackerApiException"/> before any byte is read. Dispose the stream.
    /// </summary>
    public async Task<Stream> OpenRunsCsvAsync(
        string? filter, string? orderBy, IReadOnlyList<string> @params, IReadOnlyList<string> metrics, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"api/runs/export.csv?{Query("filter", filter).TrimStart('&')}{Query("orderBy", orderBy)}{Query("params", string.Join(',', @params))}{Query("metrics", string.Join(',', metrics))}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        // The export of many runs may take longer than an API call is allowed to: the transfer client has no timeout.
        var response = await Transfers.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await response.EnsureSuccessWithProblemAsync(cancellationToken);
            // Disposing the content stream releases the connection; the response owns nothing else.
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

/// <summary>
/// JSON metadata of <see cref="RunKeys"/>, with the same options as <see cref="TrackerJsonContext"/> (a generated context
/// is declared in one place, so a contract added in its own file comes with its own context).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RunKeys))]
public sealed partial class RunKeysJsonContext : JsonSerializerContext;
