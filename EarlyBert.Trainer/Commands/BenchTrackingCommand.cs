using System.CommandLine;
using System.Globalization;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Trainer.Benchmarks;
using EarlyBert.Training.Runtime;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>bench-tracking [--tracker URL] [--shapes tiny,minilm] [--steps 30] [--rounds 3]</c>: throughput of the train job
/// with live tracking against bench's bare step loop (same shape, batch, sequence, threads), alternating, medians.
/// </summary>
internal static class BenchTrackingCommand
{
    public static Command Create()
    {
        var trackerUrl = new Option<string?>("--tracker") { Description = "Tracker base address (default http://localhost:5180)." };
        var shapes = new Option<string>("--shapes") { Description = "Comma-separated: tiny, minilm, base.", DefaultValueFactory = _ => "tiny,minilm" };
        var sequence = new Option<int>("--seq") { Description = "Sequence length.", DefaultValueFactory = _ => 128 };
        var steps = new Option<int>("--steps") { Description = "Steps per measurement.", DefaultValueFactory = _ => 30 };
        var rounds = new Option<int>("--rounds") { Description = "Alternations per shape; medians are reported.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "CPU threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var logEvery = new Option<int[]>("--log-every-steps") { Description = "Logging cadences to measure (the config's default is 10; 1 logs every step).", DefaultValueFactory = _ => [10, 1], AllowMultipleArgumentsPerToken = true };
        var apiKey = TrackerAccess.ApiKeyOption();
        var command = new Command("bench-tracking", "Training throughput with live tracking vs without, same run.") { trackerUrl, apiKey, shapes, sequence, steps, rounds, threads, logEvery };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            TorchRuntime.EnsureLoaded();
            TorchSharp.torch.set_num_threads(parse.GetValue(threads));
            using var http = TrackerAccess.CreateHttp(parse.GetValue(trackerUrl), parse.GetValue(apiKey), TimeSpan.FromMinutes(5));
            var tracker = new TrackerClient(http);
            await Console.Out.WriteLineAsync("shape   batch  log every  bench seq/s  train+tracking seq/s  ratio");
            foreach (var name in parse.GetValue(shapes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            foreach (var cadence in parse.GetValue(logEvery)!)
            {
                var shape = BenchmarkShape.All.Single(s => s.Name == name);
                var bare = new List<double>();
                var tracked = new List<double>();
                for (var round = 0; round < parse.GetValue(rounds); round++)
                {
                    var (b, t) = await TrackingOverhead.MeasureAsync(shape, shape.DefaultBatch, parse.GetValue(sequence), parse.GetValue(steps), parse.GetValue(threads),
                        cadence, tracker, logging, cancellationToken);
                    bare.Add(b);
                    tracked.Add(t);
                }
                bare.Sort();
                tracked.Sort();
                double bareRate = shape.DefaultBatch / bare[bare.Count / 2], trackedRate = shape.DefaultBatch / tracked[tracked.Count / 2];
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{shape.Name,-7} {shape.DefaultBatch,5}  {cadence,9}  {bareRate,11:0.00}  {trackedRate,20:0.00}  {trackedRate / bareRate,5:0.000}x"));
            }
            return 0;
        });
        return command;
    }
}
