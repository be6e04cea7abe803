using System.CommandLine;
using System.Net;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;

namespace EarlyBert.Trainer.Access;

/// <summary>
/// How the commands reach a tracker: its address (<c>--tracker</c>, <c>EARLYBERT_TRACKER</c>) and the API key they send
/// (<c>--api-key</c>, <c>EARLYBERT_API_KEY</c>), and one clear line when the tracker refuses the key.
/// </summary>
internal static class TrackerAccess
{
    /// <summary>The address used when neither <c>--tracker</c> nor <c>EARLYBERT_TRACKER</c> is given (the AppHost's port).</summary>
    public const string DefaultAddress = "http://localhost:5180";

    /// <summary>A new <c>--api-key</c> option (each command holds its own instance).</summary>
    public static Option<string?> ApiKeyOption() => new("--api-key")
    {
        Description = $"API key to send to the tracker (default ${TrackerApiKey.EnvironmentVariable}; prefer the variable: other users see arguments in ps).",
    };

    /// <summary>The tracker address from the option, <c>EARLYBERT_TRACKER</c>, or <see cref="DefaultAddress"/>.</summary>
    public static string Address(string? option) =>
        option ?? Environment.GetEnvironmentVariable("EARLYBERT_TRACKER") ?? DefaultAddress;

    /// <summary>The key from the option, else from <c>EARLYBERT_API_KEY</c>; <c>null</c> when neither is set.</summary>
    public static string? Key(string? option) =>
        string.IsNullOrWhiteSpace(option) ? TrackerApiKey.FromEnvironment() : option.Trim();

    /// <summary>An HttpClient for the tracker at <paramref name="address"/> that sends <paramref name="apiKey"/>.</summary>
    public static HttpClient CreateHttp(string? address, string? apiKey, TimeSpan timeout)
    {
        var http = new HttpClient { BaseAddress = new Uri(Address(address)), Timeout = timeout };
        TrackerApiKey.Apply(http, Key(apiKey));
        return http;
    }

    /// <summary>A tracker client for the command's <c>--tracker</c> and <c>--api-key</c> values; the caller disposes <paramref name="http"/>.</summary>
    public static TrackerClient CreateClient(string? address, string? apiKey, out HttpClient http)
    {
        http = CreateHttp(address, apiKey, Timeout.InfiniteTimeSpan);
        return new TrackerClient(http);
    }

    /// <summary>Whether <paramref name="exception"/> is the tracker refusing the key (401 or 403).</summary>
    public static bool IsRefusal(Exception exception) =>
        exception is TrackerApiException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden };

    /// <summary>
    /// One line for an error: for a refused key, what was missing and where a key comes from (never the key itself);
    /// otherwise the exception's message.
    /// </summary>
    public static string Describe(Exception exception)
    {
        if (exception is not TrackerApiException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } refused)
            return exception.Message;
        var detail = refused.Problem?.Detail ?? refused.Problem?.Title;
        var said = detail is null ? "" : $" ({detail.ReplaceLineEndings(" ").TrimEnd('.')})";
        return refused.StatusCode == HttpStatusCode.Unauthorized
            ? $"The tracker refused the request: it needs a valid API key{said}. Set {TrackerApiKey.EnvironmentVariable} (or pass --api-key)."
            : $"The tracker refused the request: the API key lacks the scope it needs{said}. Use a key with that scope (earlybert keys create --scopes …).";
    }
}
