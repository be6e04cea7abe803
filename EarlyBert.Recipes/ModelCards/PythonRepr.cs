using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EarlyBert.Recipes.ModelCards;

/// <summary>
/// Writes JSON as Python's <c>repr()</c> of the equivalent dict, the way transformers prints a Keras optimizer config
/// in a model card: single-quoted strings, <c>True</c>/<c>False</c>/<c>None</c>, floats with a decimal point or
/// Python's exponent form (<c>2e-05</c>).
/// </summary>
public static class PythonRepr
{
    // Keras writes these as floats even when they are whole numbers (0.0, 1.0).
    private static readonly HashSet<string> FloatKeys = new(StringComparer.Ordinal)
    {
        "initial_learning_rate", "end_learning_rate", "power", "decay", "beta_1", "beta_2", "epsilon", "weight_decay_rate", "learning_rate",
    };

    /// <summary>The repr of <paramref name="node"/>.</summary>
    public static string Write(JsonNode? node)
    {
        var text = new StringBuilder();
        Append(text, node, null);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonNode? node, string? key)
    {
        switch (node)
        {
            case null:
                text.Append("None");
                break;
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (name, child) in obj)
                {
                    if (!first) text.Append(", ");
                    first = false;
                    text.Append(Quote(name)).Append(": ");
                    Append(text, child, name);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) text.Append(", ");
                    Append(text, array[i], null);
                }
                text.Append(']');
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String: text.Append(Quote(value.GetValue<string>())); break;
                    case JsonValueKind.True: text.Append("True"); break;
                    case JsonValueKind.False: text.Append("False"); break;
                    case JsonValueKind.Number: text.Append(Number(value, key)); break;
                    default: text.Append("None"); break;
                }
                break;
        }
    }

    private static string Number(JsonValue value, string? key)
    {
        var raw = value.ToJsonString();
        var isFloat = raw.Contains('.', StringComparison.Ordinal) || raw.Contains('e', StringComparison.OrdinalIgnoreCase) || (key is not null && FloatKeys.Contains(key));
        if (!isFloat) return raw;
        var number = value.GetValue<double>();
        // Python's repr: shortest round-trip digits; exponent form below 1e-4 and from 1e16.
        var magnitude = Math.Abs(number);
        if (number != 0 && (magnitude < 1e-4 || magnitude >= 1e16))
        {
            var exponent = number.ToString("E16", CultureInfo.InvariantCulture);
            var shortest = number.ToString("R", CultureInfo.InvariantCulture);
            var mantissa = shortest.Contains('E', StringComparison.Ordinal) ? shortest[..shortest.IndexOf('E', StringComparison.Ordinal)] : MantissaOf(number);
            var power = int.Parse(exponent[(exponent.IndexOf('E', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
            return $"{mantissa}e{(power < 0 ? "-" : "+")}{Math.Abs(power):00}";
        }
        var plain = number.ToString("R", CultureInfo.InvariantCulture);
        return plain.Contains('.', StringComparison.Ordinal) || plain.Contains('E', StringComparison.Ordinal) ? plain : plain + ".0";
    }

    private static string MantissaOf(double number)
    {
        var power = (int)Math.Floor(Math.Log10(Math.Abs(number)));
        return (number / Math.Pow(10, power)).ToString("R", CultureInfo.InvariantCulture);
    }

    private static string Quote(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
