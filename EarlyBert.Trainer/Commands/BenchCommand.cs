using System.CommandLine;
using System.Globalization;
using EarlyBert.Trainer.Benchmarks;
using EarlyBert.Training.Precision;
using EarlyBert.Training.Runtime;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>bench [--device D] [--shapes tiny,minilm,base] [--batch N] [--seq 128] [--precision P]</c>: training throughput
/// of TorchSharp and, in the same run, of PyTorch eager (<c>bench_torch.py</c>) with the ratio.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated: tiny, minilm, base.", DefaultValueFactory = _ => "tiny,minilm,base" };
        var batch = new Option<int?>("--batch") { Description = "Batch size (default per shape: tiny 32, minilm 16, base 8)." };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Timed steps (median reported).", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for both sides.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var precision = new Option<string>("--precision") { Description = "fp32, tf32 or bf16.", DefaultValueFactory = _ => "fp32" };
        var python = new Option<string>("--python") { Description = "Python with torch for the baseline (Debian python3-torch).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the PyTorch eager comparison." };
        var rounds = new Option<int>("--rounds") { Description = "Alternate TorchSharp and PyTorch this many times per shape; the median of each is reported.", DefaultValueFactory = _ => 1 };
        var command = new Command("bench", "Training throughput (forward + backward + AdamW step) of TorchSharp vs PyTorch eager.")
        {
            device, shapes, batch, sequence, steps, warmup, threads, precision, python, noBaseline, rounds,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("bench");
            var target = DeviceSelector.Resolve(parse.GetValue(device)!);
            var threadCount = parse.GetValue(threads);
            TorchSharp.torch.set_num_threads(threadCount);
            var mode = PrecisionPolicy.Parse(parse.GetValue(precision)!);
            var selected = parse.GetValue(shapes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(name => BenchmarkShape.All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown shape '{name}'."))
                .ToList();
            Console.WriteLine($"device: {DeviceSelector.Describe(target)}; seq {parse.GetValue(sequence)}; {parse.GetValue(steps)} timed steps after {parse.GetValue(warmup)} warm-up; median step");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"shape",-8} {"batch",5} {"TorchSharp seq/s",17} {"optimizer ms",13} {"PyTorch seq/s",14} {"ratio",7}  precision"));
            foreach (var shape in selected)
            {
                var size = parse.GetValue(batch) ?? shape.DefaultBatch;
                // Alternating the two sides spreads any other load on the machine over both.
                var ourRuns = new List<BenchmarkResult>();
                var theirRates = new List<double>();
                for (var round = 0; round < Math.Max(1, parse.GetValue(rounds)); round++)
                {
                    ourRuns.Add(TrainingBenchmark.Run(shape, size, parse.GetValue(sequence), parse.GetValue(steps), parse.GetValue(warmup), target, mode, logger, cancellationToken));
                    if (parse.GetValue(noBaseline)) continue;
                    var baseline = await TorchEagerBaseline.RunAsync(parse.GetValue(python)!, shape, size, parse.GetValue(sequence), parse.GetValue(steps), parse.GetValue(warmup), threadCount, cancellationToken);
                    theirRates.Add(baseline["seq_per_s"]!.GetValue<double>());
                    if (round == 0)
                        logger.LogInformation("PyTorch {Version} eager, BLAS {Blas}", baseline["torch"], baseline["blas"]?.ToJsonString());
                }
                var ours = ourRuns.OrderBy(r => r.SequencesPerSecond).ElementAt(ourRuns.Count / 2);
                string theirs = "-", ratio = "-";
                if (theirRates.Count > 0)
                {
                    var rate = theirRates.Order().ElementAt(theirRates.Count / 2);
                    theirs = rate.ToString("F2", CultureInfo.InvariantCulture);
                    ratio = (ours.SequencesPerSecond / rate).ToString("F2", CultureInfo.InvariantCulture) + "x";
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{shape.Name,-8} {size,5} {ours.SequencesPerSecond,17:F2} {ours.MedianOptimizerSeconds * 1000,13:F1} {theirs,14} {ratio,7}  {ours.Precision}"));
            }
            return 0;
        });
        return command;
    }
}
