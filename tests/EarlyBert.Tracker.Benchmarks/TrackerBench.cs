using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using NpgsqlTypes;

namespace EarlyBert.Tracker.Benchmarks;

/// <summary>The tracker on Kestrel over a fresh database, and the measurements.</summary>
internal sealed partial class TrackerBench : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly NpgsqlDataSource database;
    private readonly Uri baseAddress;
    private readonly BenchmarkOptions options;
    private readonly string databaseName;

    private TrackerBench(WebApplication app, NpgsqlDataSource database, Uri baseAddress, BenchmarkOptions options, string databaseName)
    {
        this.app = app;
        this.database = database;
        this.baseAddress = baseAddress;
        this.options = options;
        this.databaseName = databaseName;
    }

    public static async Task<TrackerBench> StartAsync(BenchmarkOptions options)
    {
        var databaseName = $"tracker_bench_{DateTime.UtcNow:yyyyMMddHHmmss}";
        var connectionString = new NpgsqlConnectionStringBuilder(options.Postgres) { Database = databaseName, MaxPoolSize = 50 }.ConnectionString;

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:tracker"] = connectionString,
            ["ConnectionStrings:artifacts"] = options.S3,
            ["Artifacts:Bucket"] = "earlybert-bench",
            ["Logging:LogLevel:Default"] = "Warning",
            // Benchmark runs send no heartbeats; crash detection would only add noise.
            ["Tracker:HeartbeatTimeout"] = "7.00:00:00",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.AddTrackerServices();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapTrackerApi();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"Tracker on {address}, database {databaseName}; {Environment.ProcessorCount} cores; PostgreSQL {await ServerVersionAsync(connectionString)}");
        return new TrackerBench(app, NpgsqlDataSource.Create(connectionString), new Uri(address + "/"), options, databaseName);
    }

    private static async Task<string> ServerVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection.PostgreSqlVersion.ToString();
    }

    private TrackerClient NewClient() => new(NewHttp());

    private HttpClient NewHttp() => new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };

    public async Task RunIngestAsync()
    {
        var client = NewClient();
        await client.EnsureExperimentAsync("bench-ingest", null, CancellationToken.None);

        // Warm-up: JIT, connection pools, statement caches.
        await IngestApiAsync(client, 2, 1000, 40_000, columns: false);
        await IngestApiAsync(client, 2, 1000, 40_000, columns: true);
        await IngestCopyAsync(2, 1000, 40_000);

        Console.WriteLine();
        Console.WriteLine($"Metric ingest, {options.IngestPoints:N0} points per scenario (one run per writer); the API with the");
        Console.WriteLine("points as objects (\"metrics\") and as per-key columns (\"series\"), then raw COPY; each scenario");
        Console.WriteLine($"{options.Rounds} times, interleaved, medians (PostgreSQL checkpoints land on one scenario or another):");
        Console.WriteLine($"{"writers",8} {"batch",7} {"API points/s",14} {"API columns/s",14} {"COPY points/s",14} {"API/COPY",9} {"columns/COPY",13}");
        (int Writers, int Batch)[] scenarios = [(1, 1_000), (1, 10_000), (8, 1_000), (8, 10_000)];
        var measured = scenarios.ToDictionary(s => s, _ => (Api: new List<double>(), Columns: new List<double>(), Copy: new List<double>()));
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                var (writers, batchSize) = scenario;
                measured[scenario].Api.Add(await IngestApiAsync(client, writers, batchSize, options.IngestPoints, columns: false));
                measured[scenario].Columns.Add(await IngestApiAsync(client, writers, batchSize, options.IngestPoints, columns: true));
                measured[scenario].Copy.Add(await IngestCopyAsync(writers, batchSize, options.IngestPoints));
            }
        }

        foreach (var scenario in scenarios)
        {
            var (api, columnar, copy) = (Median(measured[scenario].Api), Median(measured[scenario].Columns), Median(measured[scenario].Copy));
            Console.WriteLine($"{scenario.Writers,8} {scenario.Batch,7:N0} {api,14:N0} {columnar,14:N0} {copy,14:N0} {api / copy,9:P0} {columnar / copy,13:P0}");
        }
    }

    /// <summary>Points/s through <c>POST /api/runs/{id}/batch</c>; the JSON bodies are prepared before timing.</summary>
    private async Task<double> IngestApiAsync(TrackerClient client, int writers, int batchSize, int totalPoints, bool columns)
    {
        var perWriter = totalPoints / writers;
        var bodies = new List<(Guid Run, byte[][] Batches)>();
        for (var w = 0; w < writers; w++)
        {
            var run = await client.CreateRunAsync(new CreateRun("bench-ingest", Status: RunStatuses.Running), CancellationToken.None);
            var batches = new List<byte[]>();
            for (var start = 0; start < perWriter; start += batchSize)
            {
                var points = Enumerable.Range(start, Math.Min(batchSize, perWriter - start))
                    .Select(s => new MetricPoint("train/loss", s, 1.0 / (s + 1), s / 10_000.0, DateTimeOffset.UnixEpoch.AddSeconds(s)))
                    .ToList();
                var batch = columns ? new RunBatch(Guid.NewGuid(), Series: MetricColumns.From(points)) : new RunBatch(Guid.NewGuid(), points);
                batches.Add(JsonSerializer.SerializeToUtf8Bytes(batch, TrackerJsonContext.Default.RunBatch));
            }

            bodies.Add((run.Id, batches.ToArray()));
        }

        using var http = NewHttp();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(bodies.Select(writer => Task.Run(async () =>
        {
            foreach (var body in writer.Batches)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync($"api/runs/{writer.Run}/batch", content);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Batch failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        return perWriter * writers / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Points/s of raw binary COPY into the same table, one transaction per batch, one series per writer.</summary>
    private async Task<double> IngestCopyAsync(int writers, int batchSize, int totalPoints)
    {
        var perWriter = totalPoints / writers;
        var client = NewClient();
        var seriesIds = new List<long>();
        for (var w = 0; w < writers; w++)
        {
            var run = await client.CreateRunAsync(new CreateRun("bench-ingest", Status: RunStatuses.Running), CancellationToken.None);
            await using var command = database.CreateCommand(
                "INSERT INTO metric_series (run_id, key, point_count, nan_count, min_step, max_step, last_value, last_timestamp) VALUES ($1, 'raw', 0, 0, 0, 0, 0, now()) RETURNING id");
            command.Parameters.AddWithValue(run.Id);
            seriesIds.Add((long)(await command.ExecuteScalarAsync())!);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(seriesIds.Select(seriesId => Task.Run(async () =>
        {
            await using var connection = await database.OpenConnectionAsync();
            for (var start = 0; start < perWriter; start += batchSize)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var importer = await connection.BeginBinaryImportAsync(
                    "COPY metric_points (series_id, step, value, epoch, timestamp) FROM STDIN (FORMAT BINARY)"))
                {
                    for (var s = start; s < Math.Min(start + batchSize, perWriter); s++)
                    {
                        await importer.StartRowAsync();
                        await importer.WriteAsync(seriesId, NpgsqlDbType.Bigint);
                        await importer.WriteAsync((long)s, NpgsqlDbType.Bigint);
                        await importer.WriteAsync(1.0 / (s + 1), NpgsqlDbType.Double);
                        await importer.WriteAsync(s / 10_000.0, NpgsqlDbType.Double);
                        await importer.WriteAsync(DateTime.UnixEpoch.AddSeconds(s), NpgsqlDbType.TimestampTz);
                    }

                    await importer.CompleteAsync();
                }

                await transaction.CommitAsync();
            }
        })));
        return perWriter * writers / clock.Elapsed.TotalSeconds;
    }

    public async Task RunCompareAsync()
    {
        var client = NewClient();
        await client.EnsureExperimentAsync("bench-compare", null, CancellationToken.None);
        string[] metrics = ["train/loss", "val/loss", "val/accuracy"];
        const int runCount = 20;
        var points = options.ComparePoints;

        Console.WriteLine();
        Console.Write($"Compare: loading {runCount} runs × {metrics.Length} metrics × {points:N0} points through the API (4 writers)… ");
        var runIds = new List<Guid>();
        for (var r = 0; r < runCount; r++)
        {
            runIds.Add((await client.CreateRunAsync(new CreateRun("bench-compare", $"run-{r}", RunStatuses.Running), CancellationToken.None)).Id);
        }

        var load = Stopwatch.StartNew();
        var work = runIds.SelectMany(run => metrics.SelectMany(metric => Enumerable.Range(0, (points + 9_999) / 10_000).Select(b => (run, metric, b)))).ToList();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var writer = NewClient();
            var random = new Random();
            int index;
            while ((index = Interlocked.Increment(ref next)) < work.Count)
            {
                var (run, metric, b) = work[index];
                var batch = Enumerable.Range(b * 10_000, Math.Min(10_000, points - b * 10_000))
                    .Select(s => new MetricPoint(metric, s, Math.Exp(-s / 20_000.0) + random.NextDouble() * 0.05))
                    .ToList();
                await writer.LogBatchAsync(run, new RunBatch(Guid.NewGuid(), batch), CancellationToken.None);
            }
        })));
        Console.WriteLine($"{runCount * metrics.Length * (double)points / load.Elapsed.TotalSeconds:N0} points/s");

        for (var i = 0; i < 5; i++)
        {
            await client.CompareAsync(runIds, metrics, 1000, CancellationToken.None);
        }

        // Endpoint latency as a dashboard's fetch sees it (status, headers and the whole body), then through the typed
        // client (adds JSON deserialisation on the caller's side).
        var url = $"api/compare?runs={string.Join(',', runIds)}&metrics={Uri.EscapeDataString(string.Join(',', metrics))}&maxPoints=1000";
        using var http = NewHttp();
        var endpoint = new List<double>();
        long bytes = 0;
        for (var i = 0; i < options.CompareRequests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            endpoint.Add(clock.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
            bytes = body.Length;
        }

        var typed = new List<double>();
        var returned = 0;
        for (var i = 0; i < options.CompareRequests; i++)
        {
            var clock = Stopwatch.StartNew();
            var comparison = await client.CompareAsync(runIds, metrics, 1000, CancellationToken.None);
            typed.Add(clock.Elapsed.TotalMilliseconds);
            returned = comparison.Metrics.Sum(m => m.Series.Sum(s => s!.Steps.Count));
        }

        Console.WriteLine(
            $"Compare of {runCount} runs × {metrics.Length} metrics × {points:N0} points, maxPoints 1000 " +
            $"({returned:N0} points, {bytes / 1024.0:N0} KiB JSON), {options.CompareRequests} requests each:");
        Console.WriteLine($"  endpoint (HTTP GET, body read): {Summary(endpoint)}");
        Console.WriteLine($"  typed client (incl. JSON parse): {Summary(typed)}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Summary(List<double> latencies)
    {
        latencies.Sort();
        string Percentile(double p) => latencies[(int)Math.Ceiling(p * latencies.Count) - 1].ToString("F1", CultureInfo.InvariantCulture);
        return $"p50 {Percentile(0.50)} ms, p95 {Percentile(0.95)} ms, max {Percentile(1.0)} ms";
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        await database.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (options.Keep)
        {
            Console.WriteLine($"Kept database {databaseName}.");
            return;
        }

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(options.Postgres) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", connection);
        // Dropping waits for the server to finish with the database's files, which takes more than the default 30 s on a busy machine.
        drop.CommandTimeout = 300;
        await drop.ExecuteNonQueryAsync();
    }
}
