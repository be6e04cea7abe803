using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>Word + position + token type embeddings, then LayerNorm and dropout (HF <c>BertEmbeddings</c>).</summary>
public sealed class BertEmbeddings : Module<Tensor, Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly BertDropout dropout;

    /// <summary>Creates the embeddings for <paramref name="config"/>, initialised as Hugging Face does.</summary>
    public BertEmbeddings(BertConfig config) : base(nameof(BertEmbeddings))
    {
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = new BertDropout(config.HiddenDropoutProb);
        using (no_grad())
        {
            foreach (var table in new[] { word_embeddings, position_embeddings, token_type_embeddings })
                init.normal_(table.weight!, 0, config.InitializerRange);
            word_embeddings.weight![config.PadTokenId].zero_();
        }
        RegisterComponents();
    }

    /// <summary>Embeds <paramref name="inputIds"/> [batch, seq] with <paramref name="tokenTypeIds"/> [batch, seq].</summary>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var positions = arange(inputIds.shape[1], dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var embeddings = word_embeddings.call(inputIds) + token_type_embeddings.call(tokenTypeIds) + position_embeddings.call(positions);
        return dropout.call(LayerNorm.call(embeddings)).MoveToOuterDisposeScope();
    }
}
