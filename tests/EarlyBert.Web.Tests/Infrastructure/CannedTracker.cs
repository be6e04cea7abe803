using System.Net;
using System.Text;

namespace EarlyBert.Web.Tests.Infrastructure;

/// <summary>
/// The tracker's HTTP boundary for component tests: answers requests with canned tracker JSON (or an error, or an
/// answer held back until the test releases it), so the components run the real <c>TrackerClient</c> end to end up to
/// the socket. Answers are matched by the request's path and query prefix, the most specific (longest) first, then the latest registered.
/// </summary>
public sealed class CannedTracker : HttpMessageHandler
{
    private readonly List<(HttpMethod Method, string Prefix, Func<HttpRequestMessage, Task<HttpResponseMessage>> Answer)> routes = [];

    /// <summary>Every request received, in order, as "METHOD path?query".</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Bodies of the requests that carried one, in order.</summary>
    public List<string> Bodies { get; } = [];

    /// <summary>Answers requests starting with <paramref name="prefix"/> (path and query, no leading slash) with JSON.</summary>
    public CannedTracker Json(string prefix, string json, HttpStatusCode status = HttpStatusCode.OK, HttpMethod? method = null) =>
        On(prefix, () => Task.FromResult(Answer(status, json, "application/json")), method);

    /// <summary>Answers with a ProblemDetails document, as the tracker does for errors.</summary>
    public CannedTracker Problem(string prefix, HttpStatusCode status, string title, HttpMethod? method = null) =>
        On(prefix, () => Task.FromResult(Answer(status, $$"""{"title":"{{title}}","status":{{(int)status}}}""", "application/problem+json")), method);

    /// <summary>
    /// Answers with plain bytes, as the tracker serves artifact content, with their real SHA-256 in the header (the
    /// client checks the bytes against it as they arrive).
    /// </summary>
    public CannedTracker Content(string prefix, string text) => On(prefix, () =>
    {
        var response = Answer(HttpStatusCode.OK, text, "text/markdown");
        response.Headers.Add("X-Content-SHA256", Sha256(text));
        return Task.FromResult(response);
    });

    /// <summary>The lowercase hex SHA-256 of <paramref name="text"/> in UTF-8.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Answers with whatever <paramref name="answer"/> completes with: lets a test hold a request open.</summary>
    public CannedTracker On(string prefix, Func<Task<HttpResponseMessage>> answer, HttpMethod? method = null)
    {
        routes.Add((method ?? HttpMethod.Get, prefix, _ => answer()));
        return this;
    }

    /// <summary>Fails requests starting with <paramref name="prefix"/> as an unreachable tracker does.</summary>
    public CannedTracker Unreachable(string prefix) =>
        On(prefix, () => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused (tracker:80)")));

    /// <summary>A JSON answer.</summary>
    public static HttpResponseMessage Answer(HttpStatusCode status, string body, string mediaType) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.RequestUri!.PathAndQuery.TrimStart('/');
        lock (Requests)
        {
            Requests.Add($"{request.Method} {Uri.UnescapeDataString(target)}");
        }

        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Bodies)
            {
                Bodies.Add(body);
            }
        }

        // The latest registration wins among equally specific ones, so a test can override a shared setup.
        var route = Enumerable.Reverse(routes)
            .Where(r => r.Method == request.Method && Uri.UnescapeDataString(target).StartsWith(r.Prefix, StringComparison.Ordinal))
            .OrderByDescending(r => r.Prefix.Length)
            .Select(r => r.Answer)
            .FirstOrDefault();
        if (route is null)
        {
            return Answer(HttpStatusCode.NotFound, "", "text/plain");
        }

        return await route(request).WaitAsync(cancellationToken);
    }
}
