// Tracker benchmark: metric ingest through the HTTP batch API versus raw binary COPY into the same table, and the
// latency of the compare endpoint. Runs the real tracker (Kestrel on loopback) against a fresh database of a real
// PostgreSQL server and a real S3 server.
//
//   EARLYBERT_TEST_POSTGRES="Host=127.0.0.1;Port=15999;Username=postgres;Password=devpass" \
//   EARLYBERT_TEST_S3="Endpoint=http://127.0.0.1:17481;AccessKey=AKtest123;SecretKey=secretsecret123" \
//   dotnet run -c Release --project tests/EarlyBert.Tracker.Benchmarks -- [--points 400000] [--compare-points 100000] [--compare-requests 60] [--rounds 3]
//     [--mlflow-requests 50] [--only ingest|compare|mlflow]
//
// Batches are serialised to JSON before the clock starts: the figures measure the tracker (HTTP, parsing,
// validation, transaction, COPY, summaries), not the client's serialiser.
using EarlyBert.Tracker.Benchmarks;

var options = BenchmarkOptions.Parse(args);
await using var bench = await TrackerBench.StartAsync(options);
if (options.Runs("ingest"))
{
    await bench.RunIngestAsync();
}

if (options.Runs("compare"))
{
    await bench.RunCompareAsync();
}

if (options.Runs("mlflow"))
{
    await bench.RunMlflowBatchAsync();
}
