using EarlyBert.Training.Modeling;
using static TorchSharp.torch;

namespace EarlyBert.Training.Training;

/// <summary>What an evaluation pass measured.</summary>
/// <param name="Loss">Mean cross-entropy over the examples.</param>
/// <param name="Accuracy">Share of examples whose arg-max label is right.</param>
/// <param name="F1Macro">Unweighted mean of the per-label F1 scores (a label never predicted nor present scores 0).</param>
/// <param name="Confusion">Counts: row = true label, column = predicted label.</param>
public sealed record EvaluationResult(double Loss, double Accuracy, double F1Macro, long[][] Confusion);

/// <summary>Evaluates a classifier on a data set (eval mode, no gradients), batch by batch.</summary>
public static class Evaluation
{
    /// <summary>Runs the model over <paramref name="data"/> in file order.</summary>
    public static EvaluationResult Run(BertForSequenceClassification model, EncodedDataset data, int batchSize, int labelCount, Device device)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            var confusion = new long[labelCount][];
            for (var i = 0; i < labelCount; i++) confusion[i] = new long[labelCount];
            var lossSum = 0.0;
            var order = Enumerable.Range(0, data.Count).ToArray();
            using var _ = no_grad();
            for (var start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var indices = order.AsSpan(start, Math.Min(batchSize, data.Count - start));
                using var batch = data.Batch(indices, device);
                var logits = model.call(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds).to(ScalarType.Float32);
                var losses = nn.functional.cross_entropy(logits, batch.Labels, reduction: nn.Reduction.None);
                lossSum += losses.to(ScalarType.Float64).sum().cpu().item<double>();
                var predicted = logits.argmax(1).cpu().data<long>().ToArray();
                var truth = batch.Labels.cpu().data<long>().ToArray();
                for (var row = 0; row < predicted.Length; row++) confusion[truth[row]][predicted[row]]++;
            }
            return Summarise(lossSum / Math.Max(1, data.Count), confusion);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Accuracy and macro F1 from a confusion matrix.</summary>
    public static EvaluationResult Summarise(double loss, long[][] confusion)
    {
        var labels = confusion.Length;
        long correct = 0, total = 0;
        var f1Sum = 0.0;
        for (var label = 0; label < labels; label++)
        {
            correct += confusion[label][label];
            total += confusion[label].Sum();
            var truePositive = (double)confusion[label][label];
            var predicted = Enumerable.Range(0, labels).Sum(row => confusion[row][label]);
            var actual = confusion[label].Sum();
            var denominator = predicted + actual;
            f1Sum += denominator == 0 ? 0 : 2 * truePositive / denominator;
        }
        return new EvaluationResult(loss, total == 0 ? 0 : (double)correct / total, labels == 0 ? 0 : f1Sum / labels, confusion);
    }
}
