using System.Globalization;

namespace EarlyBert.Tracker.Exports;

/// <summary>RFC 4180 CSV fields.</summary>
internal static class Csv
{
    /// <summary>A field, quoted when it holds a comma, quote, CR or LF (or starts with a formula character).</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        // A leading = + - @ would be run as a formula by spreadsheets; a quote-prefixed text cell is shown as is.
        var guarded = value[0] is '=' or '+' or '@' or '\t' or '\r' || (value[0] == '-' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? "'" + value
            : value;
        return guarded.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + guarded.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : guarded;
    }

    /// <summary>A number in invariant round-trip form; NaN and infinities as <c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>.</summary>
    public static string Number(double? value) => value switch
    {
        null => "",
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        { } v => v.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A timestamp in ISO 8601 UTC.</summary>
    public static string Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "";
}
