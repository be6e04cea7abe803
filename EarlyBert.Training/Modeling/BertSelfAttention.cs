using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// Multi-head self-attention with scaled-dot-product attention and the padding mask (HF <c>BertSelfAttention</c>,
/// <c>attn_implementation="sdpa"</c>).
/// </summary>
public sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly BertLinear query;
    private readonly BertLinear key;
    private readonly BertLinear value;
    private readonly int heads;
    private readonly int headSize;
    private readonly double dropoutProbability;
    // EarlyBERT's slimming coefficients, one per head; null (not a parameter at all) unless a ticket search runs.
    private Parameter? slimming;

    /// <summary>
    /// Creates the query, key and value projections of layer <paramref name="layer"/> for <paramref name="config"/>,
    /// for the heads its <see cref="BertConfig.PrunedHeads"/> leaves.
    /// </summary>
    public BertSelfAttention(BertConfig config, int layer = 0) : base(nameof(BertSelfAttention))
    {
        heads = config.KeptHeads(layer).Count;
        var width = heads * config.HeadSize;
        query = new BertLinear(config.HiddenSize, width, config.InitializerRange);
        key = new BertLinear(config.HiddenSize, width, config.InitializerRange);
        value = new BertLinear(config.HiddenSize, width, config.InitializerRange);
        headSize = config.HeadSize;
        dropoutProbability = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <summary>Number of heads this layer computes.</summary>
    public int Heads => heads;

    /// <summary>The per-head slimming coefficients, or <c>null</c> when slimming is off.</summary>
    public Parameter? Slimming => slimming;

    /// <summary>Adds a trainable coefficient per head, initialised to 1, that scales the head's context.</summary>
    internal void EnableSlimming()
    {
        if (slimming is not null) return;
        slimming = new Parameter(ones(heads, dtype: query.Weight.dtype, device: query.Weight.device));
        register_parameter(nameof(slimming), slimming);
    }

    /// <summary>
    /// Attends over <paramref name="hidden"/> [batch, seq, hidden]; <paramref name="keyMask"/> is a boolean
    /// [batch, 1, 1, seq] mask, true where a key is a real token.
    /// </summary>
    public override Tensor forward(Tensor hidden, Tensor keyMask)
    {
        using var scope = NewDisposeScope();
        var (batch, length) = (hidden.shape[0], hidden.shape[1]);
        // One product against the stacked query/key/value weights instead of three: a larger matrix product runs
        // closer to the machine's peak (it pays most for narrow models), and the parameters keep HF's three names.
        var weight = cat([query.Weight, key.Weight, value.Weight]);
        var bias = cat([query.Bias, key.Bias, value.Bias]);
        if (query.ComputeType is { } type && type != weight.dtype)
            (hidden, weight, bias) = (hidden.to(type), weight.to(type), bias.to(type));
        var qkv = functional.linear(hidden, weight, bias).view(batch, length, 3, heads, headSize).permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        var dropout = training ? dropoutProbability : 0.0;
        var context = PhiloxDropout.Applies(q, dropout)
            ? AttentionWithPhiloxDropout(q, k, v, keyMask, dropout)
            : functional.scaled_dot_product_attention(q, k, v, keyMask, dropout, false);
        // Scaling a head's context is scaling its attention probabilities (context = probabilities · values), and
        // costs [batch, heads, seq, head] multiplications instead of [batch, heads, seq, seq].
        if (slimming is not null)
            context = context * slimming.to(context.dtype).view(1, heads, 1, 1);
        return context.transpose(1, 2).reshape(batch, length, heads * headSize).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Attention written out (as transformers' eager BertSelfAttention) so that the dropout on the attention
    /// probabilities is <see cref="PhiloxDropout"/>: libtorch's CPU attention draws that mask element by element, which
    /// cost more than the rest of the attention together.
    /// </summary>
    private Tensor AttentionWithPhiloxDropout(Tensor q, Tensor k, Tensor v, Tensor keyMask, double dropout)
    {
        var scores = matmul(q * (1.0 / Math.Sqrt(headSize)), k.transpose(-1, -2));
        if (!keyMask.all().item<bool>())
            scores = scores.masked_fill(keyMask.logical_not(), float.MinValue);
        return matmul(PhiloxDropout.Apply(scores.softmax(-1), dropout), v);
    }
}
