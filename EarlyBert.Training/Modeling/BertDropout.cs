using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace EarlyBert.Training.Modeling;

/// <summary>
/// Dropout as in Hugging Face's BERT (identity in eval mode; in training, zero with probability p and scale the rest
/// by 1 / (1 - p)). float32 CPU training draws its mask with <see cref="PhiloxDropout"/>; everything else (CUDA,
/// bf16) uses libtorch's kernel. Holds no parameters, so state-dict names are as before.
/// </summary>
public sealed class BertDropout : Module<Tensor, Tensor>
{
    /// <summary>Creates dropout with probability <paramref name="probability"/>.</summary>
    public BertDropout(double probability) : base(nameof(BertDropout))
    {
        if (probability is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A dropout probability is between 0 and 1.");
        }

        Probability = probability;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!training || Probability == 0)
        {
            return input;
        }

        return PhiloxDropout.Applies(input, Probability)
            ? PhiloxDropout.Apply(input, Probability)
            : functional.dropout(input, Probability, training: true);
    }
}
