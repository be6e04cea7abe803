namespace EarlyBert.Training.Data.Files;

/// <summary>Tab-separated values: one record per line, fields split at every tab, no quoting or escapes.</summary>
internal static class TsvParser
{
    /// <summary>Parses LF-separated text into rows; trailing blank lines are dropped.</summary>
    public static List<Row> Parse(string text)
    {
        var lines = TextFile.Lines(text);
        var rows = new List<Row>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
            rows.Add(new Row(lines[i].Split('\t'), i + 1) { IsBlank = string.IsNullOrWhiteSpace(lines[i]) });
        return rows;
    }
}
