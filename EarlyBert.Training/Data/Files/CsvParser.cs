using System.Text;

namespace EarlyBert.Training.Data.Files;

/// <summary>
/// RFC 4180 CSV: comma-separated fields, a field in double quotes may hold commas, line breaks and doubled quotes.
/// A quote inside an unquoted field is kept as a character, as most writers and readers do.
/// </summary>
internal static class CsvParser
{
    /// <summary>Parses LF-separated text into rows; trailing blank lines are dropped.</summary>
    public static List<Row> Parse(string text, string file)
    {
        var rows = new List<Row>();
        var fields = new List<string>();
        var field = new StringBuilder();
        long line = 1, rowLine = 1;
        bool afterQuote = false, anyQuoted = false;
        var i = 0;
        while (true)
        {
            if (i == text.Length || text[i] == '\n')
            {
                fields.Add(field.ToString());
                var blank = fields.Count == 1 && !anyQuoted && string.IsNullOrWhiteSpace(fields[0]);
                rows.Add(new Row([.. fields], rowLine) { IsBlank = blank });
                if (i == text.Length) break;
                fields.Clear();
                field.Clear();
                afterQuote = anyQuoted = false;
                rowLine = ++line;
                i++;
                continue;
            }
            var c = text[i];
            if (afterQuote && c != ',')
                throw new DataException(file, line, $"unexpected '{c}' after the closing quote of a field; a quote inside a quoted field is written twice (\"\").");
            if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                afterQuote = false;
                i++;
            }
            else if (c == '"' && field.Length == 0)
            {
                (i, line) = ReadQuoted(text, i + 1, line, rowLine, field, file);
                afterQuote = anyQuoted = true;
            }
            else
            {
                field.Append(c);
                i++;
            }
        }
        while (rows.Count > 0 && rows[^1].IsBlank) rows.RemoveAt(rows.Count - 1);
        return rows;
    }

    // Reads a quoted field from just after its opening quote; returns the index after the closing quote.
    private static (int Index, long Line) ReadQuoted(string text, int i, long line, long rowLine, StringBuilder field, string file)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                return (i + 1, line);
            }
            if (c == '\n') line++;
            field.Append(c);
            i++;
        }
        throw new DataException(file, rowLine, "a quoted field that starts on this line is never closed.");
    }
}
