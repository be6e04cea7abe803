using EarlyBert.Recipes;

namespace EarlyBert.Training.Data.Files;

/// <summary>Turns the rows of a CSV or TSV file (header row first) into examples.</summary>
internal static class TableReader
{
    public static List<RawExample> Read(List<Row> rows, DataConfig config, string file)
    {
        if (rows.Count == 0) throw new DataException(file, null, "the file is empty.");
        var header = rows[0].Fields.Select(name => name.Trim()).ToArray();
        if (rows.Count == 1) throw new DataException(file, null, "the file has a header row but no examples.");
        var text = Column(header, config.TextColumn, file);
        var pair = config.TextPairColumn is null ? -1 : Column(header, config.TextPairColumn, file);
        var label = Column(header, config.LabelColumn, file);

        var examples = new List<RawExample>(rows.Count - 1);
        foreach (var row in rows.Skip(1))
        {
            if (row.IsBlank) throw new DataException(file, row.Line, "blank line between examples.");
            if (row.Fields.Length != header.Length)
                throw new DataException(file, row.Line, $"{row.Fields.Length} fields where the header has {header.Length}.");
            examples.Add(new RawExample(
                ExampleChecks.Text(row.Fields[text], config.TextColumn, config.MaxTextChars, file, row.Line),
                pair < 0 ? null : ExampleChecks.Text(row.Fields[pair], config.TextPairColumn!, config.MaxTextChars, file, row.Line),
                null, null, null,
                ExampleChecks.Label(row.Fields[label], config.LabelColumn, file, row.Line),
                file, row.Line));
        }
        return examples;
    }

    private static int Column(string[] header, string name, string file)
    {
        var index = Array.IndexOf(header, name);
        if (index < 0)
            throw new DataException(file, 1, $"no column '{name}'; the columns are {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        return index;
    }
}
