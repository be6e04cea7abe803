using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using EarlyBert.Tracker.Client.Artifacts;
using EarlyBert.Tracker.Client.Compare;
using EarlyBert.Tracker.Client.Events;
using EarlyBert.Tracker.Client.Experiments;
using EarlyBert.Tracker.Client.Metrics;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Client.Workers;

namespace EarlyBert.Tracker.Client;

/// <summary>
/// Typed client of the tracker's HTTP API. Register it with
/// <see cref="TrackerClientExtensions.AddTrackerClient"/> so that its base address is resolved by service discovery.
/// Every error answer is thrown as a <see cref="TrackerApiException"/> carrying the tracker's ProblemDetails.
/// </summary>
/// <param name="http">The client for API calls.</param>
/// <param name="transfers">
/// The client for artifact transfers and event streams, which must not time out on their own (see
/// <see cref="TrackerClientExtensions.AddTrackerClient"/>); <paramref name="http"/> when not given.
/// </param>
public sealed partial class TrackerClient(HttpClient http, HttpClient? transfers = null)
{
    private HttpClient Transfers => transfers ?? http;

    /// <summary>Name of the response header that carries an artifact's SHA-256 (lowercase hex).</summary>
    public const string Sha256Header = "X-Content-SHA256";

    private static TrackerJsonContext Json => TrackerJsonContext.Default;

    // --- Workers ---

    /// <summary>Records that the worker <paramref name="workerId"/> is alive.</summary>
    public Task<WorkerInfo> SendHeartbeatAsync(string workerId, WorkerHeartbeat heartbeat, CancellationToken cancellationToken) =>
        PostAsync($"api/workers/{Uri.EscapeDataString(workerId)}/heartbeat", heartbeat, Json.WorkerHeartbeat, Json.WorkerInfo, cancellationToken);

    /// <summary>Lists the workers the tracker has heard from, most recent heartbeat first.</summary>
    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken) =>
        GetAsync("api/workers", Json.IReadOnlyListWorkerInfo, cancellationToken);

    // --- Experiments ---

    /// <summary>Creates an experiment; a name that exists already is a 409.</summary>
    public Task<Experiment> CreateExperimentAsync(CreateExperiment experiment, CancellationToken cancellationToken) =>
        PostAsync("api/experiments", experiment, Json.CreateExperiment, Json.Experiment, cancellationToken);

    /// <summary>Returns the experiment named <paramref name="name"/>, creating it when it does not exist.</summary>
    public async Task<Experiment> EnsureExperimentAsync(string name, string? description, CancellationToken cancellationToken)
    {
        try
        {
            return await CreateExperimentAsync(new CreateExperiment(name, description), cancellationToken);
        }
        catch (TrackerApiException exception) when (exception.StatusCode == HttpStatusCode.Conflict)
        {
            var found = await ListExperimentsAsync(name, cancellationToken);
            return found.Single();
        }
    }

    /// <summary>Lists experiments by name; only the one named <paramref name="name"/> when given.</summary>
    public Task<IReadOnlyList<Experiment>> ListExperimentsAsync(string? name, CancellationToken cancellationToken) =>
        GetAsync(name is null ? "api/experiments" : $"api/experiments?name={Uri.EscapeDataString(name)}", Json.IReadOnlyListExperiment, cancellationToken);

    /// <summary>Returns one experiment.</summary>
    public Task<Experiment> GetExperimentAsync(long id, CancellationToken cancellationToken) =>
        GetAsync($"api/experiments/{id}", Json.Experiment, cancellationToken);

    // --- Runs ---

    /// <summary>Lists runs, newest first.</summary>
    public Task<RunPage> ListRunsAsync(int skip, int take, CancellationToken cancellationToken) =>
        SearchRunsAsync(null, null, skip, take, cancellationToken);

    /// <summary>
    /// Lists the runs that match <paramref name="filter"/> (the search language, for example
    /// <c>params.lr &gt; 1e-5 and status = "finished"</c>) in the order of <paramref name="orderBy"/> (for example
    /// <c>created desc</c>, <c>name</c>, <c>metrics.val_loss asc</c>).
    /// </summary>
    public Task<RunPage> SearchRunsAsync(string? filter, string? orderBy, int skip, int take, CancellationToken cancellationToken) =>
        GetAsync($"api/runs?skip={skip}&take={take}{Query("filter", filter)}{Query("orderBy", orderBy)}", Json.RunPage, cancellationToken);

    /// <summary>Creates a run, queued (for a worker to claim) or running.</summary>
    public Task<Run> CreateRunAsync(CreateRun run, CancellationToken cancellationToken) =>
        PostAsync("api/runs", run, Json.CreateRun, Json.Run, cancellationToken);

    /// <summary>Returns one run with its params, tags, metadata and latest metrics.</summary>
    public Task<Run> GetRunAsync(Guid runId, CancellationToken cancellationToken) =>
        GetAsync($"api/runs/{runId}", Json.Run, cancellationToken);

    /// <summary>Changes a run's status, notes or tags.</summary>
    public async Task<Run> UpdateRunAsync(Guid runId, UpdateRun update, CancellationToken cancellationToken)
    {
        using var response = await http.PatchAsJsonAsync($"api/runs/{runId}", update, Json.UpdateRun, cancellationToken);
        return await ReadAsync(response, Json.Run, cancellationToken);
    }

    /// <summary>Claims the oldest queued run for <paramref name="workerId"/>; null when none is queued.</summary>
    public async Task<Run?> ClaimRunAsync(string workerId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("api/runs/claim", new ClaimRun(workerId), Json.ClaimRun, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        return await ReadAsync(response, Json.Run, cancellationToken);
    }

    /// <summary>Records that the run's worker is alive; the answer says whether the run should stop.</summary>
    public Task<RunHeartbeat> SendRunHeartbeatAsync(Guid runId, CancellationToken cancellationToken) =>
        PostAsync($"api/runs/{runId}/heartbeat", Json.RunHeartbeat, cancellationToken);

    /// <summary>Cancels a queued run at once, or asks the worker of a running run to stop.</summary>
    public Task<Run> CancelRunAsync(Guid runId, CancellationToken cancellationToken) =>
        PostAsync($"api/runs/{runId}/cancel", Json.Run, cancellationToken);

    /// <summary>
    /// Writes a batch of metrics, params, tags and metadata, entirely or not at all. Sending the same batch id
    /// again (a retry) stores nothing more and answers <see cref="RunBatchResult.Duplicate"/>.
    /// </summary>
    public Task<RunBatchResult> LogBatchAsync(Guid runId, RunBatch batch, CancellationToken cancellationToken) =>
        PostAsync($"api/runs/{runId}/batch", batch, Json.RunBatch, Json.RunBatchResult, cancellationToken);

    // --- Metrics ---

    /// <summary>The latest value of every metric of a run.</summary>
    public Task<IReadOnlyList<MetricLatest>> GetLatestMetricsAsync(Guid runId, CancellationToken cancellationToken) =>
        GetAsync($"api/runs/{runId}/metrics", Json.IReadOnlyListMetricLatest, cancellationToken);

    /// <summary>A page of the full series of <paramref name="key"/>, with steps after <paramref name="afterStep"/>.</summary>
    public Task<SeriesPage> GetSeriesPageAsync(Guid runId, string key, long? afterStep, int limit, CancellationToken cancellationToken) =>
        GetAsync($"api/runs/{runId}/metrics/series?key={Uri.EscapeDataString(key)}&limit={limit}{Query("afterStep", afterStep?.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            Json.SeriesPage, cancellationToken);

    /// <summary>
    /// One metric of a run downsampled to at most <paramref name="maxPoints"/> points (spikes kept); only the steps
    /// of <paramref name="range"/> when given (a zoomed chart), with each point's epoch and timestamp when
    /// <paramref name="withTimes"/> (charts over epochs or time).
    /// </summary>
    public Task<DownsampledSeries> GetDownsampledSeriesAsync(
        Guid runId, string key, int maxPoints, CancellationToken cancellationToken, StepRange? range = null, bool withTimes = false) =>
        GetAsync($"api/runs/{runId}/metrics/downsampled?key={Uri.EscapeDataString(key)}&maxPoints={maxPoints}{SeriesOptions(range, withTimes)}",
            Json.DownsampledSeries, cancellationToken);

    // --- Compare ---

    /// <summary>
    /// Compares 2 to 20 runs: params and metadata with per-key "differs" flags, every metric key the runs have, and
    /// the given metrics downsampled to at most <paramref name="maxPoints"/> points per series (only the steps of
    /// <paramref name="range"/> when given; with epochs and timestamps when <paramref name="withTimes"/>).
    /// </summary>
    public Task<Comparison> CompareAsync(
        IReadOnlyList<Guid> runIds, IReadOnlyList<string> metrics, int maxPoints, CancellationToken cancellationToken,
        StepRange? range = null, bool withTimes = false) =>
        GetAsync($"api/compare?runs={string.Join(',', runIds)}{Query("metrics", string.Join(',', metrics))}&maxPoints={maxPoints}{SeriesOptions(range, withTimes)}",
            Json.Comparison, cancellationToken);

    private static string SeriesOptions(StepRange? range, bool withTimes) =>
        (range is { } r ? FormattableString.Invariant($"&fromStep={r.From}&toStep={r.To}") : "")
        + (withTimes ? "&include=epochs,timestamps" : "");

    // --- Artifacts ---

    /// <summary>Uploads <paramref name="content"/> as the artifact <paramref name="path"/> of a run (streamed).</summary>
    public async Task<ArtifactInfo> UploadArtifactAsync(Guid runId, string path, Stream content, string contentType, CancellationToken cancellationToken)
    {
        using var body = new StreamContent(content);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Transfers.PutAsync(ArtifactUrl(runId, path), body, cancellationToken);
        return await ReadAsync(response, Json.ArtifactInfo, cancellationToken);
    }

    /// <summary>
    /// Copies the artifact <paramref name="path"/> of a run into <paramref name="destination"/> and returns the
    /// SHA-256 the tracker recorded for it (from the <see cref="Sha256Header"/> header). The bytes are hashed as they
    /// arrive: when they do not have that hash, <see cref="InvalidDataException"/> is thrown after the copy, so a
    /// caller never takes a damaged artifact for the recorded one (what reached <paramref name="destination"/> is then
    /// not the artifact).
    /// </summary>
    public async Task<string> DownloadArtifactAsync(Guid runId, string path, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await Transfers.GetAsync(ArtifactUrl(runId, path), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
        var recorded = response.Headers.TryGetValues(Sha256Header, out var values) ? values.Single() : "";
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        var received = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (recorded.Length > 0 && !string.Equals(received, recorded, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"Artifact '{path}' of run {runId} arrived with SHA-256 {received}, but the tracker recorded {recorded}: the download is damaged.");
        }

        return recorded;
    }

    /// <summary>Lists a run's artifacts by path.</summary>
    public Task<IReadOnlyList<ArtifactInfo>> ListArtifactsAsync(Guid runId, CancellationToken cancellationToken) =>
        GetAsync($"api/runs/{runId}/artifacts", Json.IReadOnlyListArtifactInfo, cancellationToken);

    // --- Exports ---

    /// <summary>CSV of the runs matching <paramref name="filter"/>, with the given params and metrics as columns.</summary>
    public Task<string> ExportRunsCsvAsync(string? filter, IReadOnlyList<string> @params, IReadOnlyList<string> metrics, CancellationToken cancellationToken) =>
        GetTextAsync($"api/runs/export.csv?{Query("filter", filter).TrimStart('&')}{Query("params", string.Join(',', @params))}{Query("metrics", string.Join(',', metrics))}", cancellationToken);

    /// <summary>CSV of the full series of one metric of a run.</summary>
    public Task<string> ExportSeriesCsvAsync(Guid runId, string key, CancellationToken cancellationToken) =>
        GetTextAsync($"api/runs/{runId}/metrics/series.csv?key={Uri.EscapeDataString(key)}", cancellationToken);

    // --- Live updates ---

    /// <summary>
    /// Streams status changes and new metric points as they happen: of one run, or of every run when
    /// <paramref name="runId"/> is null. Ends when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> WatchEventsAsync(Guid? runId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, runId is null ? "api/events" : $"api/runs/{runId}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await Transfers.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(stream, (_, data) => JsonSerializer.Deserialize(data, Json.RunEvent));
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            if (item.Data is not null)
            {
                yield return item.Data;
            }
        }
    }

    private static string ArtifactUrl(Guid runId, string path) => $"api/runs/{runId}/artifacts/content?path={Uri.EscapeDataString(path)}";

    private static string Query(string name, string? value) =>
        string.IsNullOrEmpty(value) ? "" : $"&{name}={Uri.EscapeDataString(value)}";

    private async Task<T> GetAsync<T>(string url, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        return await ReadAsync(response, type, cancellationToken);
    }

    private async Task<string> GetTextAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(
        string url, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(url, body, requestType, cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private async Task<TResponse> PostAsync<TResponse>(string url, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(url, content: null, cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await response.EnsureSuccessWithProblemAsync(cancellationToken);
        return (await response.Content.ReadFromJsonAsync(type, cancellationToken))
            ?? throw new TrackerApiException(response.StatusCode, null);
    }
}
