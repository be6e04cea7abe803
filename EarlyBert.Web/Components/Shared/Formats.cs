using System.Globalization;

namespace EarlyBert.Web.Components.Shared;

/// <summary>Numbers, sizes, times and durations as the dashboard writes them (invariant culture, UTC).</summary>
public static class Formats
{
    /// <summary>A timestamp in UTC, or an em dash when there is none.</summary>
    public static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>A duration such as <c>1 h 02 min 03 s</c> or <c>4.2 s</c>.</summary>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 60 } => duration.TotalSeconds.ToString("0.0' s'", CultureInfo.InvariantCulture),
        { TotalHours: < 1 } => $"{duration.Minutes} min {duration.Seconds:00} s",
        _ => $"{(long)duration.TotalHours} h {duration.Minutes:00} min {duration.Seconds:00} s",
    };

    /// <summary>A byte count in binary units: <c>512 B</c>, <c>1.5 KiB</c>, <c>87.3 MiB</c>.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>A metric value with up to 6 significant digits; NaN and infinities spelled out.</summary>
    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
