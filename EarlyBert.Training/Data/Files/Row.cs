namespace EarlyBert.Training.Data.Files;

/// <summary>One record of a CSV or TSV file and the line it starts on.</summary>
internal sealed record Row(string[] Fields, long Line)
{
    /// <summary>A line with nothing on it but whitespace (one unquoted field).</summary>
    public bool IsBlank { get; init; }
}
