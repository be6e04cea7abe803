using System.Diagnostics;
using EarlyBert.Training.Modeling;
using EarlyBert.Training.Optimization;
using EarlyBert.Training.Precision;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Trainer.Benchmarks;

/// <summary>What one benchmark run measured.</summary>
/// <param name="SequencesPerSecond">Batch size divided by the median step time.</param>
/// <param name="MedianStepSeconds">Median time of a full step (forward, backward, optimizer).</param>
/// <param name="MedianOptimizerSeconds">Median time of the optimizer update alone.</param>
/// <param name="Precision">The precision report.</param>
/// <param name="MeanStepSeconds">Mean time of the timed steps (what throughput over a run is made of).</param>
public sealed record BenchmarkResult(double SequencesPerSecond, double MedianStepSeconds, double MedianOptimizerSeconds, string Precision, double MeanStepSeconds = double.NaN);

/// <summary>Times training steps of a randomly initialised BERT on random data (TorchSharp side of <c>bench</c>).</summary>
public static class TrainingBenchmark
{
    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="steps"/> timed steps.</summary>
    public static BenchmarkResult Run(BenchmarkShape shape, int batch, int sequence, int steps, int warmup, Device device,
        PrecisionMode precision, ILogger logger, CancellationToken cancellationToken)
    {
        manual_seed(0);
        using var model = new BertForSequenceClassification(shape.Config());
        model.to(device);
        model.train();
        var report = PrecisionPolicy.Apply(model, precision, device, logger);
        using var optimizer = new TorchAdamW(model.named_parameters(), new LinearScheduleWithWarmup(2e-5, 0, warmup + steps), epsilon: 1e-8);
        using var data = new TrainingBatch(
            randint(5, 30522, [batch, sequence], dtype: ScalarType.Int64, device: device),
            ones([batch, sequence], dtype: ScalarType.Int64, device: device),
            zeros([batch, sequence], dtype: ScalarType.Int64, device: device),
            randint(0, 2, [batch], dtype: ScalarType.Int64, device: device));

        var stepTimes = new List<double>();
        var optimizerTimes = new List<double>();
        for (var i = 0; i < warmup + steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            double optimizerSeconds;
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var loss = model.Loss(model.call(data.InputIds, data.AttentionMask, data.TokenTypeIds), data.Labels);
                loss.backward();
                Synchronize(device);
                var before = clock.Elapsed.TotalSeconds;
                optimizer.Step();
                Synchronize(device);
                optimizerSeconds = clock.Elapsed.TotalSeconds - before;
                _ = loss.item<float>();
            }
            if (i < warmup) continue;
            stepTimes.Add(clock.Elapsed.TotalSeconds);
            optimizerTimes.Add(optimizerSeconds);
        }
        var mean = stepTimes.Average();
        var median = Median(stepTimes);
        return new BenchmarkResult(batch / median, median, Median(optimizerTimes), report, mean);
    }

    private static void Synchronize(Device device)
    {
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
