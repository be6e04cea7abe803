using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EarlyBert.Recipes.ModelCards;

/// <summary>
/// Reads a Python literal (what <c>repr()</c> of a Keras <c>get_config()</c> dict prints in a model card:
/// single-quoted strings, <c>True</c>/<c>False</c>/<c>None</c>, tuples) into JSON. Anything else — such as the
/// <c>&lt;... object at 0x...&gt;</c> that repr writes for an unserialised schedule — is rejected with its position.
/// </summary>
public static class PythonLiteral
{
    /// <summary>Parses <paramref name="text"/>; JSON is a subset and parses too.</summary>
    public static JsonNode? Parse(string text)
    {
        var position = 0;
        var value = ParseValue(text, ref position);
        SkipSpace(text, ref position);
        if (position != text.Length) throw Error(text, position, "unexpected text after the value");
        return value;
    }

    private static JsonNode? ParseValue(string text, ref int i)
    {
        SkipSpace(text, ref i);
        if (i >= text.Length) throw Error(text, i, "value expected");
        var c = text[i];
        switch (c)
        {
            case '{':
            {
                i++;
                var result = new JsonObject();
                while (true)
                {
                    SkipSpace(text, ref i);
                    if (Peek(text, i) == '}') { i++; return result; }
                    var key = ParseValue(text, ref i) ?? throw Error(text, i, "dictionary key is None");
                    SkipSpace(text, ref i);
                    Expect(text, ref i, ':');
                    result[key.GetValue<string>()] = ParseValue(text, ref i);
                    SkipSpace(text, ref i);
                    if (Peek(text, i) == ',') i++;
                }
            }
            case '[' or '(':
            {
                var close = c == '[' ? ']' : ')';
                i++;
                var result = new JsonArray();
                while (true)
                {
                    SkipSpace(text, ref i);
                    if (Peek(text, i) == close) { i++; return result; }
                    result.Add(ParseValue(text, ref i));
                    SkipSpace(text, ref i);
                    if (Peek(text, i) == ',') i++;
                }
            }
            case '\'' or '"':
                return JsonValue.Create(ParseString(text, ref i));
        }
        var start = i;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '-' or '+' or '.' or '_')) i++;
        var word = text[start..i];
        return word switch
        {
            "True" or "true" => JsonValue.Create(true),
            "False" or "false" => JsonValue.Create(false),
            "None" or "null" => null,
            _ when long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
            _ when double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => throw Error(text, start, $"unsupported Python value '{(word.Length > 0 ? word : text[start].ToString())}'"),
        };
    }

    private static string ParseString(string text, ref int i)
    {
        var quote = text[i++];
        var builder = new StringBuilder();
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i++;
                builder.Append(text[i] switch { 'n' => '\n', 't' => '\t', _ => text[i] });
            }
            else builder.Append(text[i]);
            i++;
        }
        Expect(text, ref i, quote);
        return builder.ToString();
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
    }

    private static char Peek(string text, int i) => i < text.Length ? text[i] : throw Error(text, i, "unexpected end");

    private static void Expect(string text, ref int i, char c)
    {
        if (Peek(text, i) != c) throw Error(text, i, $"'{c}' expected");
        i++;
    }

    private static FormatException Error(string text, int position, string what) =>
        new($"Optimizer configuration, character {position}: {what} (near '{text[Math.Max(0, position - 10)..Math.Min(text.Length, position + 20)]}').");
}
