using EarlyBert.Training.Modeling;

namespace EarlyBert.Training.EarlyBird;

/// <summary>Arithmetic of a training step, counted from the shapes (what pruning saves, independent of the machine).</summary>
public static class FlopCount
{
    /// <summary>
    /// Floating-point operations of one training step on <paramref name="batchSize"/> sequences of
    /// <paramref name="sequenceLength"/> tokens: the matrix products of the encoder (query/key/value, attention scores
    /// and context, output projection, both FFN layers) and of pooler and classifier, two operations per multiply-add,
    /// times three for forward plus backward. Embeddings, softmax, LayerNorm and activations are left out (a few percent).
    /// </summary>
    public static double PerTrainingStep(BertConfig config, int batchSize, int sequenceLength)
    {
        double tokens = (double)batchSize * sequenceLength;
        double forward = 0;
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            double width = config.KeptHeads(layer).Count * config.HeadSize;
            forward += 2 * tokens * config.HiddenSize * width * 3;        // query, key, value
            forward += 2 * tokens * sequenceLength * width * 2;           // scores and context
            forward += 2 * tokens * width * config.HiddenSize;            // attention output projection
            forward += 2 * tokens * config.HiddenSize * config.IntermediateSizeOf(layer) * 2; // both FFN layers
        }
        forward += 2.0 * batchSize * config.HiddenSize * (config.HiddenSize + config.NumLabels);
        return 3 * forward;
    }
}
