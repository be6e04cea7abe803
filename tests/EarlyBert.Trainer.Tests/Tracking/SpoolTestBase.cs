using System.Diagnostics;
using EarlyBert.Trainer.Tracking;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Trainer.Tests.Tracking;

/// <summary>A fresh spool folder per test (deleted afterwards), and helpers to spool, drain and wait.</summary>
public abstract class SpoolTestBase : IDisposable
{
    private readonly List<IDisposable> spools = [];

    protected SpoolTestBase()
    {
        Root = Path.Combine(Path.GetTempPath(), "earlybert-spool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The spool directory of this test.</summary>
    protected string Root { get; }

    internal ListLogger<RunSpool> SpoolLog { get; } = new();

    internal ListLogger<SpoolDrainer> DrainerLog { get; } = new();

    internal SpoolOptions Options(Action<SpoolOptions>? configure = null)
    {
        // Short retries keep the tests fast; the backoff's shape is the same.
        var options = new SpoolOptions { Directory = Root, MaxRetryDelay = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);
        return options;
    }

    internal RunSpool OpenSpool(SpoolOptions? options = null)
    {
        var spool = new RunSpool(options ?? Options(), TimeProvider.System, SpoolLog);
        spools.Add(spool);
        return spool;
    }

    internal Drain StartDrainer(RunSpool spool, ITrackerSink sink, SpoolOptions? options = null) =>
        new(new SpoolDrainer(spool, sink, options ?? Options(), TimeProvider.System, DrainerLog));

    internal static RunBatch Batch(long step) =>
        new(Guid.NewGuid(), Metrics: [new MetricPoint("train/loss", step, 1.0 / (step + 1))]);

    internal static List<Guid> AppendBatches(RunSpool spool, Guid runId, int count, long firstStep = 0)
    {
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            var batch = Batch(firstStep + i);
            spool.AppendBatch(runId, batch);
            ids.Add(batch.BatchId);
        }

        return ids;
    }

    internal string RunFolder(Guid runId) => Path.Combine(Root, runId.ToString("D"));

    internal static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                throw new TimeoutException($"Waited {seconds} s for: {what}");
            }

            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        foreach (var spool in spools)
        {
            spool.Dispose();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Temp folder; the OS cleans it eventually.
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A drainer running in the background until disposed.</summary>
    internal sealed class Drain : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task running;

        public Drain(SpoolDrainer drainer) => running = drainer.RunAsync(stop.Token);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            stop.Dispose();
        }
    }
}
