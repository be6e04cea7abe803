using EarlyBert.Training.Data;
using EarlyBert.Training.Optimization;
using EarlyBert.Training.Tokenization;
using static TorchSharp.torch;

namespace EarlyBert.Training.Training;

/// <summary>Examples as token ids, tokenized once before training; batches are padded to their longest sequence.</summary>
public sealed class EncodedDataset
{
    private readonly int[][] inputIds;
    private readonly int[][] tokenTypeIds;
    private readonly int[][] attentionMasks;
    private readonly long[] labels;
    private readonly int padId;

    private EncodedDataset(int[][] inputIds, int[][] tokenTypeIds, int[][] attentionMasks, long[] labels, int padId)
    {
        this.inputIds = inputIds;
        this.tokenTypeIds = tokenTypeIds;
        this.attentionMasks = attentionMasks;
        this.labels = labels;
        this.padId = padId;
    }

    /// <summary>Number of examples.</summary>
    public int Count => labels.Length;

    /// <summary>Label ids in example order.</summary>
    public IReadOnlyList<long> Labels => labels;

    /// <summary>
    /// Encodes <paramref name="examples"/>: text through <paramref name="tokenizer"/> truncated to
    /// <paramref name="maxLength"/>, pre-tokenised ids as they are (truncated likewise).
    /// </summary>
    public static EncodedDataset Encode(IReadOnlyList<DataExample> examples, BertWordPieceTokenizer? tokenizer, int maxLength, int padId)
    {
        var ids = new int[examples.Count][];
        var types = new int[examples.Count][];
        var masks = new int[examples.Count][];
        var labels = new long[examples.Count];
        Parallel.For(0, examples.Count, i =>
        {
            var example = examples[i];
            labels[i] = example.Label;
            if (example.InputIds is { } given)
            {
                var length = Math.Min(given.Length, maxLength);
                ids[i] = given[..length];
                types[i] = example.TokenTypeIds?[..length] ?? new int[length];
                masks[i] = example.AttentionMask?[..length] ?? Enumerable.Repeat(1, length).ToArray();
                return;
            }
            var encoded = (tokenizer ?? throw new InvalidOperationException("Text examples need a tokenizer."))
                .Encode(example.Text ?? "", example.TextPair, maxLength);
            ids[i] = [.. encoded.InputIds];
            types[i] = [.. encoded.TokenTypeIds];
            masks[i] = [.. encoded.AttentionMask];
        });
        return new EncodedDataset(ids, types, masks, labels, padId);
    }

    /// <summary>The examples at <paramref name="indices"/> as one batch on <paramref name="device"/>.</summary>
    public TrainingBatch Batch(ReadOnlySpan<int> indices, Device device)
    {
        var length = 0;
        foreach (var index in indices) length = Math.Max(length, inputIds[index].Length);
        var ids = new long[indices.Length * length];
        var types = new long[ids.Length];
        var masks = new long[ids.Length];
        var batchLabels = new long[indices.Length];
        for (var row = 0; row < indices.Length; row++)
        {
            var index = indices[row];
            var offset = row * length;
            for (var j = 0; j < length; j++)
            {
                var inside = j < inputIds[index].Length;
                ids[offset + j] = inside ? inputIds[index][j] : padId;
                types[offset + j] = inside ? tokenTypeIds[index][j] : 0;
                masks[offset + j] = inside ? attentionMasks[index][j] : 0;
            }
            batchLabels[row] = labels[index];
        }
        long[] shape = [indices.Length, length];
        return new TrainingBatch(OnDevice(ids, shape, device), OnDevice(masks, shape, device), OnDevice(types, shape, device), OnDevice(batchLabels, [indices.Length], device));
    }

    // The host copy is freed at once when the batch moves to a GPU; nothing is left for the finalizer.
    private static Tensor OnDevice(long[] values, long[] shape, Device device)
    {
        var host = tensor(values, shape);
        if (device.type == TorchSharp.DeviceType.CPU) return host;
        using (host) return host.to(device);
    }
}
