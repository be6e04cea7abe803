using System.Text.Json.Nodes;

namespace EarlyBert.Training.Training;

/// <summary>One metric value at an optimizer step, with its fractional epoch.</summary>
/// <param name="Key">Metric key (see <see cref="MetricKeys"/>).</param>
/// <param name="Step">Optimizer updates done when it was measured.</param>
/// <param name="Value">The value.</param>
/// <param name="Epoch">Fractional epoch (updates done / updates per epoch).</param>
/// <param name="Timestamp">When it was measured.</param>
public sealed record MetricSample(string Key, long Step, double Value, double Epoch, DateTimeOffset Timestamp);

/// <summary>
/// Where a training job writes its records: the tracker (through the trainer's durable spool) or an offline folder.
/// Calls must not block on the network: a recorder queues what it is given and returns.
/// </summary>
public interface IRunRecorder
{
    /// <summary>Logs write-once parameters.</summary>
    void LogParams(IReadOnlyDictionary<string, string> values);

    /// <summary>Sets metadata (environment, versions, hashes).</summary>
    void LogMetadata(IReadOnlyDictionary<string, JsonNode?> values);

    /// <summary>Appends metric points.</summary>
    void LogMetrics(IReadOnlyList<MetricSample> samples);

    /// <summary>Stores <paramref name="file"/> as the run's artifact <paramref name="path"/> (the file is copied before this returns).</summary>
    void LogArtifact(string path, string file, string contentType);

    /// <summary>Whether someone asked the run to stop (checked once per step).</summary>
    bool StopRequested { get; }
}
