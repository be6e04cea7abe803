namespace EarlyBert.Training.Data;

/// <summary>
/// One labelled example, either as text (<see cref="Text"/>, optional <see cref="TextPair"/>) or pre-tokenised
/// (<see cref="InputIds"/>, optional <see cref="AttentionMask"/> and <see cref="TokenTypeIds"/> of the same length).
/// </summary>
/// <param name="Text">The text; null for a pre-tokenised example.</param>
/// <param name="TextPair">The second text of a pair task, or null.</param>
/// <param name="InputIds">Token ids, each in [0, vocabulary size); null for a text example.</param>
/// <param name="AttentionMask">0/1 per token, or null (all ones).</param>
/// <param name="TokenTypeIds">Segment id per token, or null (all zeros).</param>
/// <param name="Label">Label id, an index into <see cref="LoadedDataset.Id2Label"/>.</param>
public sealed record DataExample(string? Text, string? TextPair, int[]? InputIds, int[]? AttentionMask, int[]? TokenTypeIds, int Label);
