using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace EarlyBert.Tracker.Http;

/// <summary>
/// Turns request-binding failures (malformed JSON, a string where a number belongs, a missing required member)
/// into a 400 ProblemDetails that says what was wrong and where, instead of an empty 400.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var json = FindJsonException(exception);
        var detail = json is null
            ? badRequest.Message
            : $"{badRequest.Message} {json.Message}";
        logger.LogInformation("Rejected a malformed request to {Path}: {Detail}", httpContext.Request.Path, detail);

        httpContext.Response.StatusCode = badRequest.StatusCode;
        var problem = new ProblemDetails { Status = badRequest.StatusCode, Title = "Bad request", Detail = detail };
        if (json?.Path is { } path)
        {
            problem.Extensions["jsonPath"] = path;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static JsonException? FindJsonException(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is JsonException json)
            {
                return json;
            }
        }

        return null;
    }
}
