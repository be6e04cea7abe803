namespace EarlyBert.Training.Tokenization;

/// <summary>One encoded sequence, as Hugging Face's fast tokenizer returns it.</summary>
/// <param name="InputIds">Token ids including <c>[CLS]</c>/<c>[SEP]</c> and any padding.</param>
/// <param name="TokenTypeIds">0 for the first text (and padding), 1 for the second of a pair.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding.</param>
public sealed record TokenizedInput(IReadOnlyList<int> InputIds, IReadOnlyList<int> TokenTypeIds, IReadOnlyList<int> AttentionMask)
{
    /// <summary>Number of positions, padding included.</summary>
    public int Length => InputIds.Count;
}

/// <summary>How a batch is padded.</summary>
public enum Padding
{
    /// <summary>No padding: sequences keep their own lengths.</summary>
    None,
    /// <summary>Pad to the longest sequence of the batch.</summary>
    Longest,
    /// <summary>Pad to the tokenizer call's maximum length.</summary>
    MaxLength,
}
