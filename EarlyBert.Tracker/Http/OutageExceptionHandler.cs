using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Minio.Exceptions;
using Npgsql;

namespace EarlyBert.Tracker.Http;

/// <summary>
/// Answers a request that failed because PostgreSQL or S3 could not be reached (refused or cut connections, a
/// server shutting down, a pool or command timeout) with 503 ProblemDetails and <c>Retry-After</c>, never 500: the
/// request did nothing that a retry would repeat wrongly (a batch is one transaction, a retried batch id is stored
/// once), and the tracker recovers by itself when the server returns. After a database failure the connection pool
/// is cleared, so the idle connections that the restart broke are not handed out one failed request at a time.
/// </summary>
internal sealed class OutageExceptionHandler(
    IProblemDetailsService problems, NpgsqlDataSource dataSource, ILogger<OutageExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Unreachable(exception) is not { } dependency)
        {
            return false;
        }

        if (dependency == Dependency.Database)
        {
            dataSource.Clear();
        }

        var name = dependency == Dependency.Database ? "database (PostgreSQL)" : "artifact storage (S3)";
        // The exception's type and message only: Npgsql and Minio messages name hosts, never passwords or keys.
        logger.LogWarning("The {Dependency} could not be reached for {Method} {Path}: {ExceptionType}: {Message}",
            name, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Service unavailable",
            Detail = $"The tracker's {name} is unreachable right now; nothing was stored. Retry in a few seconds.",
        };
        problem.Extensions["dependency"] = dependency == Dependency.Database ? "database" : "artifacts";
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>Which server could not be reached, or null when <paramref name="exception"/> is not an outage.</summary>
    internal static Dependency? Unreachable(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    // Only server states that mean "not now": connection exceptions (08), admin shutdown, crash and
                    // cannot-connect-now (57P01–57P03), too many connections and other insufficient resources (53).
                    // Constraint violations, syntax errors and the like stay real errors.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is "57P01" or "57P02" or "57P03"
                        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal)
                        ? Dependency.Database
                        : null;
                case NpgsqlException npgsql when npgsql.IsTransient:
                    return Dependency.Database;
                case ConnectionException or MinioException when FromS3Transport(current):
                    return Dependency.Artifacts;
                case HttpRequestException when FromS3Transport(exception):
                    return Dependency.Artifacts;
                // HttpClient (Minio's transport) lets a socket failure of a connection attempt through unwrapped
                // ("Transport endpoint is not connected" while the proxy in front of S3 resets it). Npgsql wraps its
                // own in NpgsqlException, matched above on the way in, so a bare one here is S3's.
                case SocketException:
                    return Dependency.Artifacts;
            }
        }

        return null;
    }

    // Minio reports transport failures as its own exceptions or lets HttpClient's through; either way the chain
    // holds a socket, I/O or timeout failure, or a ConnectionException.
    private static bool FromS3Transport(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is ConnectionException or SocketException or IOException or TimeoutException or HttpRequestException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The server a request depends on.</summary>
    internal enum Dependency
    {
        Database,
        Artifacts,
    }
}
