using System.Globalization;
using System.Text.Json;
using EarlyBert.Recipes;

namespace EarlyBert.Training.Data.Files;

/// <summary>JSON Lines: one object per line, with text fields or pre-tokenised ids, and a label.</summary>
internal static class JsonlReader
{
    /// <summary>Whether the first record has <c>input_ids</c> (how <c>auto</c> recognises a pre-tokenised file).</summary>
    public static bool LooksPretokenized(string text)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start])) start++;
        var end = text.IndexOf('\n', start);
        var first = text[start..(end < 0 ? text.Length : end)];
        try
        {
            using var document = JsonDocument.Parse(first);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("input_ids", out _);
        }
        catch (JsonException)
        {
            return false; // the reader reports it with its line
        }
    }

    public static List<RawExample> Read(string text, DataConfig config, bool pretokenized, int vocabSize, string file)
    {
        var lines = TextFile.Lines(text);
        if (lines.Count == 0) throw new DataException(file, null, "the file is empty.");
        var examples = new List<RawExample>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            long line = i + 1;
            if (string.IsNullOrWhiteSpace(lines[i])) throw new DataException(file, line, "blank line between records.");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(lines[i]);
            }
            catch (JsonException e)
            {
                throw new DataException(file, line, $"not valid JSON ({e.Message}).", e);
            }
            using (document)
            {
                var record = document.RootElement;
                if (record.ValueKind != JsonValueKind.Object)
                    throw new DataException(file, line, $"a record must be a JSON object, not {record.ValueKind.ToString().ToLowerInvariant()}.");
                examples.Add(pretokenized ? ReadIds(record, config, vocabSize, file, line) : ReadText(record, config, file, line));
            }
        }
        return examples;
    }

    private static RawExample ReadText(JsonElement record, DataConfig config, string file, long line)
    {
        var text = ExampleChecks.Text(String(record, config.TextColumn, file, line), config.TextColumn, config.MaxTextChars, file, line);
        var pair = config.TextPairColumn is null
            ? null
            : ExampleChecks.Text(String(record, config.TextPairColumn, file, line), config.TextPairColumn, config.MaxTextChars, file, line);
        return new RawExample(text, pair, null, null, null, Label(record, config.LabelColumn, file, line), file, line);
    }

    private static RawExample ReadIds(JsonElement record, DataConfig config, int vocabSize, string file, long line)
    {
        var inputIds = Ids(Required(record, "input_ids", file, line), "input_ids", file, line);
        if (inputIds.Length == 0) throw new DataException(file, line, "input_ids is empty.");
        for (var i = 0; i < inputIds.Length; i++)
            if (inputIds[i] < 0 || inputIds[i] >= vocabSize)
                throw new DataException(file, line, $"input_ids[{i}] = {inputIds[i]} is outside the vocabulary [0, {vocabSize}).");
        var attentionMask = Optional(record, "attention_mask", inputIds.Length, file, line);
        var badMask = attentionMask is null ? -1 : Array.FindIndex(attentionMask, v => v is not (0 or 1));
        if (badMask >= 0)
            throw new DataException(file, line, $"attention_mask[{badMask}] = {attentionMask![badMask]}; the mask holds only 0 and 1.");
        var tokenTypeIds = Optional(record, "token_type_ids", inputIds.Length, file, line);
        var badType = tokenTypeIds is null ? -1 : Array.FindIndex(tokenTypeIds, v => v < 0);
        if (badType >= 0)
            throw new DataException(file, line, $"token_type_ids[{badType}] = {tokenTypeIds![badType]}; token types are not negative.");
        return new RawExample(null, null, inputIds, attentionMask, tokenTypeIds, Label(record, config.LabelColumn, file, line), file, line);
    }

    private static int[]? Optional(JsonElement record, string name, int length, string file, long line)
    {
        if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        var ids = Ids(value, name, file, line);
        if (ids.Length != length) throw new DataException(file, line, $"{name} has {ids.Length} values but input_ids has {length}.");
        return ids;
    }

    private static int[] Ids(JsonElement value, string name, string file, long line)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new DataException(file, line, $"{name} must be an array of integers.");
        var ids = new int[value.GetArrayLength()];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out ids[i]))
                throw new DataException(file, line, $"{name}[{i}] = {item.GetRawText()} is not an integer.");
            i++;
        }
        return ids;
    }

    private static string String(JsonElement record, string name, string file, long line)
    {
        var value = Required(record, name, file, line);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new DataException(file, line, $"field '{name}' must be a string, not {value.ValueKind.ToString().ToLowerInvariant()}.");
    }

    private static string Label(JsonElement record, string name, string file, long line)
    {
        var value = Required(record, name, file, line);
        var label = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number when value.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => throw new DataException(file, line, $"the label in '{name}' must be a string or an integer, not {value.GetRawText()}."),
        };
        return ExampleChecks.Label(label, name, file, line);
    }

    private static JsonElement Required(JsonElement record, string name, string file, long line)
    {
        if (record.TryGetProperty(name, out var value))
            return value.ValueKind != JsonValueKind.Null ? value : throw new DataException(file, line, $"field '{name}' is null.");
        var present = record.EnumerateObject().Select(p => $"'{p.Name}'").ToList();
        throw new DataException(file, line, $"no field '{name}'; the fields are {(present.Count == 0 ? "none" : string.Join(", ", present))}.");
    }
}
