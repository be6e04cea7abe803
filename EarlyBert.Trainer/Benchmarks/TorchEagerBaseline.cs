using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EarlyBert.Trainer.Benchmarks;

/// <summary>Runs <c>bench_torch.py</c> (PyTorch eager, same shape and batch) and reads its JSON line.</summary>
public static class TorchEagerBaseline
{
    /// <summary>Where Debian's <c>libopenblas0-openmp</c> puts its <c>libblas.so.3</c>.</summary>
    public const string OpenBlasDirectory = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

    /// <summary>The script, copied next to the program by the build.</summary>
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Benchmarks", "bench_torch.py");

    /// <summary>Runs the baseline; returns the parsed result line.</summary>
    public static async Task<JsonObject> RunAsync(string python, BenchmarkShape shape, int batch, int sequence, int steps, int warmup, int threads, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ScriptPath);
        foreach (var (name, value) in new (string, int)[]
        {
            ("--hidden", shape.Hidden), ("--layers", shape.Layers), ("--heads", shape.Heads), ("--intermediate", shape.Intermediate),
            ("--batch", batch), ("--seq", sequence), ("--steps", steps), ("--warmup", warmup), ("--threads", threads),
        })
        {
            start.ArgumentList.Add(name);
            start.ArgumentList.Add(value.ToString(CultureInfo.InvariantCulture));
        }
        // Debian's torch otherwise runs on the reference BLAS, 30x slower on large matrix products.
        if (Directory.Exists(OpenBlasDirectory))
            start.Environment["LD_LIBRARY_PATH"] = OpenBlasDirectory + (start.Environment.TryGetValue("LD_LIBRARY_PATH", out var old) && old is { Length: > 0 } ? ":" + old : "");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{python} {ScriptPath} failed ({process.ExitCode}): {(await errors).Trim()}");
        var last = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
            ?? throw new InvalidOperationException("bench_torch.py printed nothing.");
        return JsonNode.Parse(last)!.AsObject();
    }
}
