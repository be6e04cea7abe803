using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// BERT with a linear classifier over the pooled output (HF <c>BertForSequenceClassification</c>: <c>bert.*</c>,
/// <c>classifier.weight</c>, <c>classifier.bias</c>).
/// </summary>
public sealed class BertForSequenceClassification : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly BertModel bert;
    private readonly BertDropout dropout;
    private readonly BertLinear classifier;

    /// <summary>Creates a randomly initialised model for <paramref name="config"/>.</summary>
    public BertForSequenceClassification(BertConfig config) : base(nameof(BertForSequenceClassification))
    {
        Config = config;
        bert = new BertModel(config);
        dropout = new BertDropout(config.ClassifierDropout ?? config.HiddenDropoutProb);
        classifier = new BertLinear(config.HiddenSize, config.NumLabels, config.InitializerRange);
        RegisterComponents();
    }

    /// <summary>The configuration the model was built from.</summary>
    public BertConfig Config { get; }

    /// <summary>The encoder, for loading checkpoints that hold only <c>BertModel</c> weights.</summary>
    public BertModel Bert => bert;

    /// <summary>The classification head.</summary>
    public BertLinear Classifier => classifier;

    /// <summary>Returns logits [batch, num_labels] for a batch (see <see cref="BertModel.forward"/>).</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        using var scope = NewDisposeScope();
        var pooled = bert.call(inputIds, attentionMask, tokenTypeIds).PooledOutput;
        return classifier.call(dropout.call(pooled)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The loss Hugging Face uses for this head: mean cross-entropy for classification, mean squared error when
    /// there is a single label (regression). Computed in float32 whatever precision the logits came in.
    /// </summary>
    public Tensor Loss(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var loss = Config.NumLabels == 1
            ? functional.mse_loss(logits.to(ScalarType.Float32).squeeze(-1), labels.to(ScalarType.Float32))
            : functional.cross_entropy(logits.to(ScalarType.Float32), labels.to(ScalarType.Int64));
        return loss.MoveToOuterDisposeScope();
    }
}
