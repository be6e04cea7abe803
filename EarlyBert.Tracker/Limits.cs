namespace EarlyBert.Tracker;

/// <summary>
/// The sizes the tracker stores, in one place: the endpoints of every feature check against these, so a run's tag
/// accepted by one route is never refused by another.
/// </summary>
internal static class Limits
{
    /// <summary>Longest run or experiment name.</summary>
    public const int MaxNameLength = 250;

    /// <summary>Longest run notes.</summary>
    public const int MaxNotesLength = 100_000;

    /// <summary>Longest experiment description.</summary>
    public const int MaxDescriptionLength = 10_000;

    /// <summary>Longest worker id or worker host name.</summary>
    public const int MaxWorkerIdLength = 200;

    /// <summary>Longest param or tag value, and longest status reason.</summary>
    public const int MaxValueLength = 6_000;

    /// <summary>Longest metadata value, as JSON text.</summary>
    public const int MaxMetadataLength = 64 * 1024;

    /// <summary>Most metric points per batch.</summary>
    public const int MaxMetricPoints = 10_000;

    /// <summary>Most params, tags or metadata keys per batch.</summary>
    public const int MaxKeysPerKind = 1_000;
}
