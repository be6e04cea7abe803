using System.Text.Json;
using System.Text.Json.Serialization;

namespace EarlyBert.Tracker.Client.Runs;

/// <summary>
/// Reads and writes <see cref="MetricPoint"/> by hand. Metric points arrive by the ten thousand per batch; the
/// generic reader for a record with a constructor costs about 2 µs a point (a 10,000-point batch spent 20 ms in
/// JSON alone), this one a fraction of that. It also reuses the key string of the previous point, since consecutive
/// points nearly always share a key. Same contract as the generated one: camelCase names matched case-insensitively,
/// unknown members ignored, <c>key</c>, <c>step</c> and <c>value</c> required, and NaN and infinities as the strings
/// <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>.
/// </summary>
public sealed class MetricPointJsonConverter : JsonConverter<MetricPoint>
{
    // Per thread, so the shared converter needs no locks; only ever an optimisation (compared before reuse).
    [ThreadStatic]
    private static string? previousKey;

    /// <inheritdoc />
    public override MetricPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A metric point must be an object with 'key', 'step' and 'value'.");
        }

        string? key = null;
        long? step = null;
        double? value = null;
        double? epoch = null;
        DateTimeOffset? timestamp = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var member = Member(ref reader);
            reader.Read();
            switch (member)
            {
                case "key":
                    key = ReadKey(ref reader);
                    break;
                case "step":
                    step = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var s)
                        ? s
                        : throw new JsonException("'step' must be a whole number.");
                    break;
                case "value":
                    value = ReadDouble(ref reader, "value");
                    break;
                case "epoch":
                    epoch = reader.TokenType == JsonTokenType.Null ? null : ReadDouble(ref reader, "epoch");
                    break;
                case "timestamp":
                    timestamp = reader.TokenType == JsonTokenType.Null
                        ? null
                        : reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var t)
                            ? t
                            : throw new JsonException("'timestamp' must be an ISO 8601 date and time, for example \"2026-11-28T12:00:00Z\".");
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (key is null || step is null || value is null)
        {
            var missing = new[] { key is null ? "'key'" : null, step is null ? "'step'" : null, value is null ? "'value'" : null };
            throw new JsonException($"A metric point needs {string.Join(", ", missing.Where(m => m is not null))}.");
        }

        return new MetricPoint(key, step.Value, value.Value, epoch, timestamp);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, MetricPoint value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("key"u8, value.Key);
        writer.WriteNumber("step"u8, value.Step);
        writer.WritePropertyName("value"u8);
        WriteDouble(writer, value.Value);
        if (value.Epoch is { } epoch)
        {
            writer.WritePropertyName("epoch"u8);
            WriteDouble(writer, epoch);
        }

        if (value.Timestamp is { } timestamp)
        {
            writer.WriteString("timestamp"u8, timestamp);
        }

        writer.WriteEndObject();
    }

    private static string? Member(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("key"u8))
        {
            return "key";
        }

        if (reader.ValueTextEquals("step"u8))
        {
            return "step";
        }

        if (reader.ValueTextEquals("value"u8))
        {
            return "value";
        }

        if (reader.ValueTextEquals("epoch"u8))
        {
            return "epoch";
        }

        if (reader.ValueTextEquals("timestamp"u8))
        {
            return "timestamp";
        }

        // Other spellings of the same names (web defaults match names case-insensitively).
        return reader.GetString()?.ToLowerInvariant() switch
        {
            "key" => "key",
            "step" => "step",
            "value" => "value",
            "epoch" => "epoch",
            "timestamp" => "timestamp",
            _ => null,
        };
    }

    private static string ReadKey(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("'key' must be a string.");
        }

        if (previousKey is { } previous && reader.ValueTextEquals(previous))
        {
            return previous;
        }

        return previousKey = reader.GetString()!;
    }

    private static double ReadDouble(ref Utf8JsonReader reader, string member)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            // A literal past double's range (1e999) is a mistake, not an infinity: infinities are sent by name.
            return reader.TryGetDouble(out var number) && double.IsFinite(number)
                ? number
                : throw new JsonException($"'{member}' is out of the range of a double; send \"Infinity\" or \"-Infinity\" for an infinite value.");
        }

        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("NaN"u8))
            {
                return double.NaN;
            }

            if (reader.ValueTextEquals("Infinity"u8))
            {
                return double.PositiveInfinity;
            }

            if (reader.ValueTextEquals("-Infinity"u8))
            {
                return double.NegativeInfinity;
            }
        }

        throw new JsonException($"'{member}' must be a number, or one of the strings \"NaN\", \"Infinity\" and \"-Infinity\".");
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
