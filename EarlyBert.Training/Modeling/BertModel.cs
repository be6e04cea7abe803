using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>What <see cref="BertModel"/> computes.</summary>
/// <param name="LastHiddenState">Hidden states of the last layer, [batch, seq, hidden].</param>
/// <param name="PooledOutput">Pooler output (dense + tanh over the first token), [batch, hidden].</param>
public readonly record struct BertModelOutput(Tensor LastHiddenState, Tensor PooledOutput);

/// <summary>
/// The BERT encoder with Hugging Face's state-dict names (<c>embeddings.*</c>, <c>encoder.layer.N.*</c>,
/// <c>pooler.dense.*</c>), so checkpoints load and save without renaming.
/// </summary>
public sealed class BertModel : Module<Tensor, Tensor, Tensor, BertModelOutput>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler pooler;

    /// <summary>Creates a randomly initialised model (as Hugging Face initialises one) for <paramref name="config"/>.</summary>
    public BertModel(BertConfig config) : base(nameof(BertModel))
    {
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = new BertPooler(config);
        RegisterComponents();
    }

    /// <summary>The transformer layers.</summary>
    public BertEncoder Encoder => encoder;

    /// <summary>The configuration the model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>
    /// Encodes a batch: <paramref name="inputIds"/>, <paramref name="attentionMask"/> (1 = token, 0 = padding) and
    /// <paramref name="tokenTypeIds"/>, all [batch, seq] integers.
    /// </summary>
    public override BertModelOutput forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        // Padding is masked on the key side only: [batch, 1, 1, seq], true where a key may be attended to.
        var keyMask = attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(1);
        var sequence = encoder.call(embeddings.call(inputIds, tokenTypeIds), keyMask);
        var pooled = pooler.call(sequence);
        return new BertModelOutput(sequence.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}
