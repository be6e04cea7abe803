namespace EarlyBert.Recipes;

/// <summary>
/// Where a run's examples come from. Part of the run configuration JSON, so it stays a record of plain init
/// properties whose names the caller serialises in snake_case.
/// </summary>
public sealed record DataConfig
{
    /// <summary>Built-in dataset (<c>spam-assassin</c>). Ignored when <see cref="TrainFile"/> is set.</summary>
    public string? Name { get; init; } = "spam-assassin";

    /// <summary>CSV, TSV, JSONL or pre-tokenised JSONL file of training examples; takes precedence over <see cref="Name"/>.</summary>
    public string? TrainFile { get; init; }

    /// <summary>Validation examples; when absent the validation split is taken out of the training examples.</summary>
    public string? ValidationFile { get; init; }

    /// <summary>
    /// <c>auto</c>, <c>csv</c>, <c>tsv</c>, <c>jsonl</c> or <c>pretokenized</c>. <c>auto</c> goes by extension
    /// (<c>.csv</c>, <c>.tsv</c>, <c>.jsonl</c>/<c>.ndjson</c>) and takes a JSONL file whose first record has
    /// <c>input_ids</c> as pre-tokenised.
    /// </summary>
    public string Format { get; init; } = "auto";

    /// <summary>Column (CSV/TSV) or field (JSONL) holding the text.</summary>
    public string TextColumn { get; init; } = "text";

    /// <summary>Column of the second text of a pair task; null for single-text tasks.</summary>
    public string? TextPairColumn { get; init; }

    /// <summary>Column of the label; JSONL labels may be strings or integers (kept as their string form).</summary>
    public string LabelColumn { get; init; } = "label";

    /// <summary>Share of each label held out for validation when there is no <see cref="ValidationFile"/>; in [0, 1).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Seed of the stratified split and of the subsets; the same seed gives the same split on any machine.</summary>
    public long SplitSeed { get; init; } = 42;

    /// <summary>Whether the training loop shuffles the training examples each epoch (the loader does not).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Keep a stratified, deterministic subset of this many training examples.</summary>
    public int? MaxTrainExamples { get; init; }

    /// <summary>Keep a stratified, deterministic subset of this many validation examples.</summary>
    public int? MaxValidationExamples { get; init; }

    /// <summary>A text (or text pair) longer than this many characters is taken as bad data.</summary>
    public int MaxTextChars { get; init; } = 100_000;
}
