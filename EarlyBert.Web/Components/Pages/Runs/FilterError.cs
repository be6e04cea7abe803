using System.Net;
using System.Text.Json;
using EarlyBert.Tracker.Client;

namespace EarlyBert.Web.Components.Pages.Runs;

/// <summary>Why the tracker refused a filter, and where: the search language's syntax errors carry a position.</summary>
/// <param name="Message">The tracker's explanation.</param>
/// <param name="Position">0-based offset in the filter where the problem is, when the tracker said.</param>
/// <param name="Expected">What would have been valid there, when the tracker said.</param>
public sealed record FilterError(string Message, int? Position, string? Expected)
{
    /// <summary>The filter error a tracker answer means, or null when it is not a refused filter (another failure).</summary>
    public static FilterError? From(Exception exception)
    {
        if (exception is not TrackerApiException { StatusCode: HttpStatusCode.BadRequest, Problem: { } problem })
        {
            return null;
        }

        int? position = problem.Extensions.TryGetValue("position", out var p) && p is JsonElement { ValueKind: JsonValueKind.Number } number
            ? number.GetInt32()
            : null;
        var expected = problem.Extensions.TryGetValue("expected", out var e) && e is JsonElement { ValueKind: JsonValueKind.String } text
            ? text.GetString()
            : null;
        var message = problem.Detail ?? problem.Title ?? exception.Message;
        // A refused orderBy or column is a validation problem: its field's message says more than the title.
        if (problem.Extensions.TryGetValue("errors", out var errors) && errors is JsonElement { ValueKind: JsonValueKind.Object } errorObject)
        {
            message = string.Join(" ", errorObject.EnumerateObject().SelectMany(field => field.Value.EnumerateArray()).Select(m => m.GetString()));
        }

        return new FilterError(message, position, expected);
    }
}
