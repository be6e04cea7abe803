using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace EarlyBert.Tracker.Client;

/// <summary>The tracker answered with an error; <see cref="Problem"/> holds its ProblemDetails when it sent one.</summary>
public sealed class TrackerApiException(HttpStatusCode statusCode, ProblemDetails? problem)
    : Exception(problem?.Detail ?? problem?.Title ?? $"The tracker answered {(int)statusCode} {statusCode}.")
{
    /// <summary>HTTP status code of the answer.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The problem details the tracker sent, if any.</summary>
    public ProblemDetails? Problem { get; } = problem;
}

internal static class ProblemResponseExtensions
{
    public static async Task EnsureSuccessWithProblemAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ProblemDetails? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken);
        }

        throw new TrackerApiException(response.StatusCode, problem);
    }
}
