using static TorchSharp.torch;

namespace EarlyBert.Training.Modeling;

/// <summary>The feed-forward activations Hugging Face's BERT accepts in <c>hidden_act</c>.</summary>
public static class Activations
{
    /// <summary>Returns the function named by <paramref name="name"/>, or throws for an unknown name.</summary>
    public static Func<Tensor, Tensor> Resolve(string name) => name switch
    {
        // "gelu" in transformers is the exact erf form; "gelu_new" and "gelu_pytorch_tanh" the tanh approximation.
        "gelu" => x => nn.functional.gelu(x),
        "gelu_new" or "gelu_pytorch_tanh" => x => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh, false),
        "relu" => x => nn.functional.relu(x),
        _ => throw new InvalidDataException($"hidden_act '{name}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)."),
    };
}
