using EarlyBert.Recipes;

namespace EarlyBert.Training.Data.Files;

/// <summary>Reads a user's data file in the format the configuration names or its extension suggests.</summary>
internal static class DataFileReader
{
    public static async Task<(List<RawExample> Examples, bool Pretokenized)> ReadAsync(string path, DataConfig config, int vocabSize, CancellationToken cancellationToken)
    {
        var text = await TextFile.ReadAsync(path, cancellationToken);
        var format = Resolve(config.Format, path, text);
        if (format == FileFormat.Pretokenized) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        var examples = format switch
        {
            FileFormat.Csv => TableReader.Read(CsvParser.Parse(text, path), config, path),
            FileFormat.Tsv => TableReader.Read(TsvParser.Parse(text), config, path),
            _ => JsonlReader.Read(text, config, format == FileFormat.Pretokenized, vocabSize, path),
        };
        return (examples, format == FileFormat.Pretokenized);
    }

    /// <summary>The format of a file: as configured, or for <c>auto</c> by extension and first record.</summary>
    internal static FileFormat Resolve(string format, string path, string text) => format.ToLowerInvariant() switch
    {
        "csv" => FileFormat.Csv,
        "tsv" => FileFormat.Tsv,
        "jsonl" => FileFormat.Jsonl,
        "pretokenized" => FileFormat.Pretokenized,
        "auto" => Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => FileFormat.Csv,
            ".tsv" or ".tab" => FileFormat.Tsv,
            ".jsonl" or ".ndjson" => JsonlReader.LooksPretokenized(text) ? FileFormat.Pretokenized : FileFormat.Jsonl,
            var other => throw new DataException(path, null,
                $"cannot tell the format from the extension '{other}'; name it .csv, .tsv or .jsonl, or set format to csv, tsv, jsonl or pretokenized."),
        },
        _ => throw new ArgumentException($"Unknown data format '{format}'; expected auto, csv, tsv, jsonl or pretokenized.", nameof(format)),
    };
}

/// <summary>The file formats a data file can have.</summary>
internal enum FileFormat
{
    Csv,
    Tsv,
    Jsonl,
    Pretokenized,
}
