using System.Text.Json;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Http;

namespace EarlyBert.Tracker.RunData;

/// <summary>Checks a batch before anything is written, so that a bad batch leaves stored data exactly as it was.</summary>
internal static class RunBatchValidator
{
    /// <summary>Most metric points per batch.</summary>
    public const int MaxMetricPoints = 10_000;

    /// <summary>Most params, tags or metadata keys per batch.</summary>
    public const int MaxKeysPerKind = 1_000;

    /// <summary>Longest param or tag value.</summary>
    public const int MaxValueLength = 6_000;

    /// <summary>Longest metadata value, as JSON text.</summary>
    public const int MaxMetadataLength = 64 * 1024;

    // Enough to tell a client what is wrong without answering with a megabyte of errors.
    private const int MaxErrorsPerField = 10;

    public static Dictionary<string, string[]> Validate(RunBatch batch)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            if (list.Count < MaxErrorsPerField)
            {
                list.Add(message);
            }
        }

        if (batch.BatchId == Guid.Empty)
        {
            Add("batchId", "A batch needs a non-empty client-chosen batch id, so that a retry is recognised.");
        }

        if (batch.Metrics is { } metrics)
        {
            if (metrics.Count > MaxMetricPoints)
            {
                Add("metrics", $"A batch holds at most {MaxMetricPoints} metric points; this one has {metrics.Count}.");
            }
            else
            {
                var seen = new HashSet<(string, long)>(metrics.Count);
                string? checkedKey = null;
                for (var i = 0; i < metrics.Count; i++)
                {
                    var point = metrics[i];
                    if (point is null)
                    {
                        Add("metrics", $"metrics[{i}] is null.");
                        continue;
                    }

                    // Consecutive points nearly always share their key (often the very same string): check it once.
                    if (!ReferenceEquals(point.Key, checkedKey))
                    {
                        if (Keys.Check(point.Key) is { } keyError)
                        {
                            Add("metrics", $"metrics[{i}]: {keyError}");
                            continue;
                        }

                        checkedKey = point.Key;
                    }

                    if (point.Step < 0)
                    {
                        Add("metrics", $"metrics[{i}]: step {point.Step} of '{point.Key}' is negative.");
                    }
                    else if (!seen.Add((point.Key, point.Step)))
                    {
                        Add("metrics", $"metrics[{i}]: step {point.Step} of '{point.Key}' appears more than once in the batch.");
                    }

                    if (point.Epoch is { } epoch && !double.IsFinite(epoch))
                    {
                        Add("metrics", $"metrics[{i}]: the epoch must be a finite number.");
                    }
                }
            }
        }

        CheckTexts("params", batch.Params, Add);
        CheckTexts("tags", batch.Tags, Add);
        if (batch.Metadata is { } metadata)
        {
            if (metadata.Count > MaxKeysPerKind)
            {
                Add("metadata", $"A batch holds at most {MaxKeysPerKind} metadata keys; this one has {metadata.Count}.");
            }

            foreach (var (key, value) in metadata)
            {
                if (Keys.Check(key) is { } keyError)
                {
                    Add("metadata", keyError);
                }
                else if (value.ValueKind == JsonValueKind.Undefined)
                {
                    Add("metadata", $"Metadata '{key}' has no value.");
                }
                else if (value.GetRawText() is var raw && raw.Length > MaxMetadataLength)
                {
                    Add("metadata", $"Metadata '{key}' is over {MaxMetadataLength} characters of JSON.");
                }
                else if (raw.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
                {
                    Add("metadata", $"Metadata '{key}' contains a NUL character.");
                }
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static void CheckTexts(string field, IReadOnlyDictionary<string, string>? values, Action<string, string> add)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > MaxKeysPerKind)
        {
            add(field, $"A batch holds at most {MaxKeysPerKind} {field}; this one has {values.Count}.");
            return;
        }

        foreach (var (key, value) in values)
        {
            if (Keys.Check(key) is { } keyError)
            {
                add(field, keyError);
            }
            else if (value is null)
            {
                add(field, $"'{key}' has no value.");
            }
            else if (value.Length > MaxValueLength)
            {
                add(field, $"The value of '{key}' is {value.Length} characters; the limit is {MaxValueLength}.");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                add(field, $"The value of '{key}' contains a NUL character.");
            }
        }
    }
}
