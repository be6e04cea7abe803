using EarlyBert.Tracker.Mlflow;

namespace EarlyBert.Tracker.ApiKeys;

/// <summary>
/// Writes a 401 or 403: a ProblemDetails, or under the MLflow prefixes MLflow's <c>{"error_code", "message"}</c>
/// (<c>UNAUTHENTICATED</c>, <c>PERMISSION_DENIED</c>), which MLflow's clients turn into a readable error.
/// </summary>
internal static class ApiKeyRefusal
{
    private static readonly string[] MlflowPrefixes = [.. MlflowApi.Prefixes.Select(p => p + "/")];

    /// <summary>Writes the refusal with <paramref name="status"/>, <paramref name="title"/> and <paramref name="detail"/>.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        var path = context.Request.Path.Value ?? "";
        IResult result = MlflowPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal))
            ? MlflowWire.Error(new MlflowException(status == StatusCodes.Status401Unauthorized ? "UNAUTHENTICATED" : "PERMISSION_DENIED", status, detail))
            : TypedResults.Problem(detail, statusCode: status, title: title);
        return result.ExecuteAsync(context);
    }
}
