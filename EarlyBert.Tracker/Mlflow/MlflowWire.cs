using System.Globalization;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Tracker.Mlflow;

/// <summary>Conversions between MLflow's wire values and the tracker's: ids, statuses, times, page tokens, bodies.</summary>
internal static class MlflowWire
{
    /// <summary>MLflow's Default experiment: id "0", always there, mapped to the tracker experiment of this name.</summary>
    public const string DefaultExperimentName = "Default";

    /// <summary>The Default experiment's id.</summary>
    public const string DefaultExperimentId = "0";

    /// <summary>The <c>lifecycle_stage</c> of an experiment or run that was not deleted.</summary>
    public const string Active = "active";

    /// <summary>The <c>lifecycle_stage</c> of a deleted experiment or run.</summary>
    public const string Deleted = "deleted";

    /// <summary>MLflow's id of a tracker experiment.</summary>
    public static string ExperimentId(long id, string name) => name == DefaultExperimentName ? DefaultExperimentId : id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The run id as MLflow clients write it: 32 hex digits.</summary>
    public static string RunId(Guid id) => id.ToString("N");

    /// <summary>The run named by <c>run_id</c> (or the older <c>run_uuid</c>); 32 hex digits or the dashed form.</summary>
    public static Guid ParseRunId(string? runId, string? runUuid = null)
    {
        var text = string.IsNullOrEmpty(runId) ? runUuid : runId;
        if (string.IsNullOrEmpty(text))
        {
            throw MlflowException.Invalid("Missing value for required parameter 'run_id'.");
        }

        return Guid.TryParse(text, out var id) ? id : throw MlflowException.NotFound($"Run '{text}' not found.");
    }

    /// <summary>MLflow's status of a tracker status. A crash is a failure to MLflow, which has no word for it.</summary>
    public static string Status(string status) => status switch
    {
        RunStatuses.Queued => "SCHEDULED",
        RunStatuses.Running => "RUNNING",
        RunStatuses.Finished => "FINISHED",
        RunStatuses.Cancelled => "KILLED",
        _ => "FAILED",
    };

    /// <summary>The tracker status of an MLflow status; null when it is none of MLflow's.</summary>
    public static string? TrackerStatus(string status) => status switch
    {
        "SCHEDULED" => RunStatuses.Queued,
        "RUNNING" => RunStatuses.Running,
        "FINISHED" => RunStatuses.Finished,
        "FAILED" => RunStatuses.Failed,
        "KILLED" => RunStatuses.Cancelled,
        _ => null,
    };

    /// <summary>Epoch milliseconds.</summary>
    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>The instant of epoch milliseconds, refusing values outside what a timestamp can hold.</summary>
    public static DateTimeOffset FromMillis(long millis, string field) =>
        millis is >= -62135596800000 and <= 253402300799999
            ? DateTimeOffset.FromUnixTimeMilliseconds(millis)
            : throw MlflowException.Invalid($"'{field}' {millis} is not a time in epoch milliseconds.");

    /// <summary>An opaque page token for the offset of the next page.</summary>
    public static string PageToken(long offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The offset in a page token (0 without one).</summary>
    public static long Offset(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("offset:", StringComparison.Ordinal) && long.TryParse(text.AsSpan(7), CultureInfo.InvariantCulture, out var offset) && offset >= 0)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
        }

        throw MlflowException.Invalid($"Invalid page token '{token}'.");
    }

    /// <summary>Reads a JSON request body; an empty body reads as <c>{}</c>.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken, long maxBytes = 16 * 1024 * 1024)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            throw Invalid($"The request body is {request.ContentLength} bytes; this endpoint takes at most {maxBytes}.");
        }

        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length > maxBytes)
            {
                throw Invalid($"The request body is {buffer.Length} bytes; this endpoint takes at most {maxBytes}.");
            }

            if (buffer.Length == 0)
            {
                return System.Text.Json.JsonSerializer.Deserialize("{}", type)!;
            }

            buffer.Position = 0;
            return await System.Text.Json.JsonSerializer.DeserializeAsync(buffer, type, cancellationToken)
                ?? throw MlflowException.Malformed("The request body must be a JSON object.");
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw MlflowException.Malformed($"The request body is not valid JSON for this endpoint: {exception.Message}");
        }
    }

    private static MlflowException Invalid(string message) => MlflowException.Invalid(message);

    /// <summary>A required string field.</summary>
    public static string Required(string? value, string field) =>
        string.IsNullOrEmpty(value) ? throw MlflowException.Invalid($"Missing value for required parameter '{field}'.") : value;

    /// <summary>A JSON answer with MLflow's serializer settings.</summary>
    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int statusCode = StatusCodes.Status200OK) =>
        TypedResults.Json(value, type, "application/json", statusCode);

    /// <summary>The empty success body, <c>{}</c>.</summary>
    public static IResult Empty() => Json(new MlflowEmpty(), MlflowJsonContext.Default.MlflowEmpty);

    /// <summary>MLflow's error body.</summary>
    public static IResult Error(MlflowException exception) =>
        Json(new MlflowError(exception.ErrorCode, exception.Message), MlflowJsonContext.Default.MlflowError, exception.StatusCode);
}
