using System.Text.Json;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Http;

namespace EarlyBert.Tracker.RunData;

/// <summary>Checks a batch before anything is written, so that a bad batch leaves stored data exactly as it was.</summary>
internal static class RunBatchValidator
{
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

        var seriesPoints = batch.Series?.Sum(columns => (long)(columns?.Steps?.Count ?? 0)) ?? 0;
        var totalPoints = (batch.Metrics?.Count ?? 0) + seriesPoints;
        if (totalPoints > Limits.MaxMetricPoints)
        {
            Add(batch.Metrics is null ? "series" : "metrics", $"A batch holds at most {Limits.MaxMetricPoints} metric points; this one has {totalPoints}.");
        }
        else
        {
            // (key, step) pairs across both forms: no key may repeat a step within the batch.
            var seen = new HashSet<(string, long)>((int)totalPoints);
            if (batch.Metrics is { } metrics)
            {
                CheckPoints(metrics, seen, Add);
            }

            if (batch.Series is { } series)
            {
                CheckSeries(series, seen, Add);
            }
        }

        CheckTexts("params", batch.Params, Add);
        CheckTexts("tags", batch.Tags, Add);
        if (batch.Metadata is { } metadata)
        {
            if (metadata.Count > Limits.MaxKeysPerKind)
            {
                Add("metadata", $"A batch holds at most {Limits.MaxKeysPerKind} metadata keys; this one has {metadata.Count}.");
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
                else if (value.GetRawText() is var raw && raw.Length > Limits.MaxMetadataLength)
                {
                    Add("metadata", $"Metadata '{key}' is over {Limits.MaxMetadataLength} characters of JSON.");
                }
                else if (raw.Contains("\\u0000", StringComparison.OrdinalIgnoreCase))
                {
                    Add("metadata", $"Metadata '{key}' contains a NUL character.");
                }
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static void CheckPoints(IReadOnlyList<MetricPoint> metrics, HashSet<(string, long)> seen, Action<string, string> add)
    {
        string? checkedKey = null;
        for (var i = 0; i < metrics.Count; i++)
        {
            var point = metrics[i];
            if (point is null)
            {
                add("metrics", $"metrics[{i}] is null.");
                continue;
            }

            // Consecutive points nearly always share their key (often the very same string): check it once.
            if (!ReferenceEquals(point.Key, checkedKey))
            {
                if (Keys.Check(point.Key) is { } keyError)
                {
                    add("metrics", $"metrics[{i}]: {keyError}");
                    continue;
                }

                checkedKey = point.Key;
            }

            CheckPoint("metrics", $"metrics[{i}]", point.Key, point.Step, point.Epoch, seen, add);
        }
    }

    private static void CheckSeries(IReadOnlyList<MetricColumns> series, HashSet<(string, long)> seen, Action<string, string> add)
    {
        for (var s = 0; s < series.Count; s++)
        {
            var columns = series[s];
            if (columns is null)
            {
                add("series", $"series[{s}] is null.");
                continue;
            }

            if (Keys.Check(columns.Key) is { } keyError)
            {
                add("series", $"series[{s}]: {keyError}");
                continue;
            }

            if (columns.Steps is null || columns.Values is null)
            {
                add("series", $"series[{s}] ('{columns.Key}') needs 'steps' and 'values'.");
                continue;
            }

            var count = columns.Steps.Count;
            foreach (var (name, length) in new[] { ("values", (int?)columns.Values.Count), ("epochs", columns.Epochs?.Count), ("timestamps", columns.Timestamps?.Count) })
            {
                if (length is { } n && n != count)
                {
                    add("series", $"series[{s}] ('{columns.Key}') has {count} steps but {n} {name}; the arrays run in parallel.");
                }
            }

            if (columns.Values.Count != count || (columns.Epochs?.Count ?? count) != count || (columns.Timestamps?.Count ?? count) != count)
            {
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                CheckPoint("series", $"series[{s}].steps[{i}]", columns.Key, columns.Steps[i], columns.Epochs?[i], seen, add);
            }
        }
    }

    private static void CheckPoint(string field, string where, string key, long step, double? epoch, HashSet<(string, long)> seen, Action<string, string> add)
    {
        if (step < 0)
        {
            add(field, $"{where}: step {step} of '{key}' is negative.");
        }
        else if (!seen.Add((key, step)))
        {
            add(field, $"{where}: step {step} of '{key}' appears more than once in the batch.");
        }

        if (epoch is { } value && !double.IsFinite(value))
        {
            add(field, $"{where}: the epoch must be a finite number.");
        }
    }

    private static void CheckTexts(string field, IReadOnlyDictionary<string, string>? values, Action<string, string> add)
    {
        if (values is null)
        {
            return;
        }

        if (values.Count > Limits.MaxKeysPerKind)
        {
            add(field, $"A batch holds at most {Limits.MaxKeysPerKind} {field}; this one has {values.Count}.");
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
            else if (value.Length > Limits.MaxValueLength)
            {
                add(field, $"The value of '{key}' is {value.Length} characters; the limit is {Limits.MaxValueLength}.");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                add(field, $"The value of '{key}' contains a NUL character.");
            }
        }
    }
}
