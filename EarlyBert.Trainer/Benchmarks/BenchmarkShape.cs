using EarlyBert.Training.Modeling;

namespace EarlyBert.Trainer.Benchmarks;

/// <summary>A BERT shape to benchmark, with the batch size used for it by default.</summary>
/// <param name="Name">Short name used on the command line.</param>
/// <param name="Hidden">Hidden size.</param>
/// <param name="Layers">Number of layers.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="Intermediate">Feed-forward width.</param>
/// <param name="DefaultBatch">Batch size when none is given.</param>
public sealed record BenchmarkShape(string Name, int Hidden, int Layers, int Heads, int Intermediate, int DefaultBatch)
{
    /// <summary>bert-tiny, all-MiniLM-L6-v2 and bert-base, with the uncased 30,522-token vocabulary.</summary>
    public static readonly IReadOnlyList<BenchmarkShape> All =
    [
        new("tiny", 128, 2, 2, 512, 32),
        new("minilm", 384, 6, 12, 1536, 16),
        new("base", 768, 12, 12, 3072, 8),
    ];

    /// <summary>The configuration of a randomly initialised model of this shape.</summary>
    public BertConfig Config() => new()
    {
        VocabSize = 30522, HiddenSize = Hidden, NumHiddenLayers = Layers, NumAttentionHeads = Heads,
        IntermediateSize = Intermediate, MaxPositionEmbeddings = 512,
    };
}
