namespace EarlyBert.Training.Data.Files;

/// <summary>The checks every text and label goes through, whatever the file format.</summary>
internal static class ExampleChecks
{
    public static string Text(string text, string column, int maxChars, string file, long? line)
    {
        if (text.Length > maxChars)
            throw new DataException(file, line, $"the text in '{column}' has {text.Length} characters, more than max_text_chars ({maxChars}).");
        return text;
    }

    // Surrounding spaces in a label are an accident of the file, never a different class.
    public static string Label(string label, string column, string file, long? line)
    {
        var trimmed = label.Trim();
        if (trimmed.Length == 0) throw new DataException(file, line, $"the label in '{column}' is empty.");
        return trimmed;
    }
}
