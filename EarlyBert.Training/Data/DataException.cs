namespace EarlyBert.Training.Data;

/// <summary>
/// Bad data, or data that cannot be had: stops the run before training. <see cref="Exception.Message"/> names the
/// file and the 1-based line (for JSONL the record's line) and says what is wrong.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public DataException() : this(null, null, "The data could not be loaded.") { }

    /// <summary>Creates an exception with a message only.</summary>
    public DataException(string message) : this(null, null, message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public DataException(string message, Exception innerException) : this(null, null, message, innerException) { }

    /// <summary>Creates an exception whose message is "<paramref name="file"/>, line <paramref name="line"/>: <paramref name="problem"/>".</summary>
    public DataException(string? file, long? line, string problem, Exception? innerException = null)
        : base(Describe(file, line, problem), innerException)
    {
        File = file;
        Line = line;
    }

    /// <summary>The file at fault, as the configuration named it; null when no single file is.</summary>
    public string? File { get; }

    /// <summary>The 1-based line at fault; null when the problem is the whole file.</summary>
    public long? Line { get; }

    private static string Describe(string? file, long? line, string problem) => (file, line) switch
    {
        (null, _) => problem,
        (_, null) => $"{file}: {problem}",
        _ => $"{file}, line {line}: {problem}",
    };
}
