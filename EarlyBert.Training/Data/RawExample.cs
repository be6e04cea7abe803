namespace EarlyBert.Training.Data;

/// <summary>An example as read, before its label becomes an id; remembers where it came from for error messages.</summary>
internal sealed record RawExample(
    string? Text, string? TextPair, int[]? InputIds, int[]? AttentionMask, int[]? TokenTypeIds, string Label, string Source, long? Line);
