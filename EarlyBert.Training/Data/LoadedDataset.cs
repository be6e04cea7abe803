namespace EarlyBert.Training.Data;

/// <summary>The examples of a run, split and labelled, with a content hash that identifies them.</summary>
/// <param name="Name">The built-in dataset's name or the training file's file name.</param>
/// <param name="Sha256">
/// Lowercase hex SHA-256 of the examples as <see cref="DatasetHash"/> serialises them (training split, then
/// validation split, in this order): equal examples give an equal hash whatever the file format or line endings.
/// </param>
/// <param name="Id2Label">Label string of each label id.</param>
/// <param name="Train">Training examples, in file order (the training loop shuffles).</param>
/// <param name="Validation">Validation examples, in file order.</param>
/// <param name="Pretokenized">Whether the examples carry token ids instead of text.</param>
public sealed record LoadedDataset(
    string Name,
    string Sha256,
    IReadOnlyList<string> Id2Label,
    IReadOnlyList<DataExample> Train,
    IReadOnlyList<DataExample> Validation,
    bool Pretokenized);
