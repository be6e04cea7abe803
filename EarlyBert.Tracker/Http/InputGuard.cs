using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using EarlyBert.Tracker.Mlflow;
using Microsoft.AspNetCore.Http.Features;

namespace EarlyBert.Tracker.Http;

/// <summary>
/// The one place where text and numbers from a request are checked before any endpoint sees them, so that nothing
/// PostgreSQL or <c>jsonb</c> would refuse ever reaches them: the path and every query value (valid UTF-8, no NUL,
/// bounded length), and every string, property name and number inside a JSON body (valid UTF-16 without lone
/// surrogates, no NUL, bounded length, numbers within the range of a double). Bodies are bounded per endpoint
/// (<see cref="JsonBodyLimit"/>). A refusal is a 400 ValidationProblem naming the field (MLflow's
/// <c>INVALID_PARAMETER_VALUE</c> under the MLflow prefixes); an over-large body is a 413.
/// </summary>
internal sealed class InputGuard(RequestDelegate next)
{
    /// <summary>Largest JSON body of an endpoint without <see cref="JsonBodyLimit"/>.</summary>
    public const long DefaultJsonBodyBytes = 1024 * 1024;

    /// <summary>Longest decoded path, in bytes (an artifact path of 1,024 bytes and its prefix fit).</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>Longest decoded query value, in bytes (a long search filter fits).</summary>
    public const int MaxQueryValueBytes = 16 * 1024;

    /// <summary>Longest string or property name inside a JSON body (the longest field, run notes, fits).</summary>
    public const int MaxJsonStringLength = 100_000;

    private static readonly string[] MlflowPrefixes = [.. MlflowApi.Prefixes.Select(p => p + "/")];

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") && !request.Path.StartsWithSegments("/ajax-api"))
        {
            await next(context);
            return;
        }

        var mlflow = MlflowPrefixes.Any(p => request.Path.Value!.StartsWith(p, StringComparison.Ordinal));
        if (CheckUrl(context) is { } urlProblem)
        {
            await RefuseAsync(context, mlflow, urlProblem.Field, urlProblem.Message, StatusCodes.Status400BadRequest);
            return;
        }

        if (HasJsonBody(request, mlflow))
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<JsonBodyLimit>()?.Bytes ?? DefaultJsonBodyBytes;
            var body = await ReadBoundedAsync(request, limit, context.RequestAborted);
            if (body is null)
            {
                await RefuseAsync(context, mlflow, "body", $"The request body is over {limit} bytes, the most this endpoint takes.", StatusCodes.Status413PayloadTooLarge);
                return;
            }

            if (CheckJson(body.GetBuffer().AsSpan(0, (int)body.Length)) is { } jsonProblem)
            {
                await RefuseAsync(context, mlflow, jsonProblem.Field, jsonProblem.Message, StatusCodes.Status400BadRequest);
                return;
            }

            request.Body = body;
            request.ContentLength = body.Length;
        }

        await next(context);
    }

    private static bool HasJsonBody(HttpRequest request, bool mlflow)
    {
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method))
        {
            return false;
        }

        // MLflow reads every tracking body as JSON whatever its content type; its artifact uploads are bytes.
        if (mlflow)
        {
            return !request.Path.Value!.Contains("/mlflow-artifacts/", StringComparison.Ordinal);
        }

        return request.ContentType is { } type
            && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || type.Contains("+json", StringComparison.OrdinalIgnoreCase));
    }

    // The body in memory, or null when it is longer than the limit.
    private static async Task<MemoryStream?> ReadBoundedAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffer.Position = 0;
        return buffer;
    }

    private static (string Field, string Message)? CheckUrl(HttpContext context)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var rawPath = string.IsNullOrEmpty(raw) || raw[0] != '/' ? request.Path.ToUriComponent() : raw.Split('?', 2)[0];
        if (CheckEscaped(rawPath, MaxPathBytes) is { } pathProblem)
        {
            return ("path", $"The URL path {pathProblem}.");
        }

        var query = request.QueryString.Value;
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = pair.IndexOf('=') is var equals and >= 0 ? (pair[..equals], pair[(equals + 1)..]) : (pair, "");
            var shownName = Uri.UnescapeDataString(name.Replace('+', ' '));
            if (CheckEscaped(name, MaxQueryValueBytes) is { } nameProblem)
            {
                return ("query", $"A query parameter name {nameProblem}.");
            }

            if (CheckEscaped(value, MaxQueryValueBytes) is { } valueProblem)
            {
                return (shownName, $"The query parameter '{shownName}' {valueProblem}.");
            }
        }

        return null;
    }

    // What is wrong with percent-encoded text once decoded to bytes; null when it is well-formed.
    private static string? CheckEscaped(string escaped, int maxBytes)
    {
        var bytes = new List<byte>(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '%' && i + 2 < escaped.Length && Uri.IsHexDigit(escaped[i + 1]) && Uri.IsHexDigit(escaped[i + 2]))
            {
                bytes.Add(Convert.ToByte(escaped.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < escaped.Length && char.IsLowSurrogate(escaped[i + 1]))
            {
                // Already decoded text (a test host's path): its own UTF-8 bytes.
                bytes.AddRange(Encoding.UTF8.GetBytes(escaped.Substring(i++, 2)));
            }
            else if (char.IsSurrogate(c))
            {
                return "contains a lone UTF-16 surrogate";
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }

            if (bytes.Count > maxBytes)
            {
                return $"is over {maxBytes} bytes long";
            }
        }

        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
        if (span.IndexOf((byte)0) >= 0)
        {
            return "contains a NUL character";
        }

        return Utf8.IsValid(span) ? null : "is not valid UTF-8 (a lone surrogate, for instance, has no UTF-8 form)";
    }

    /// <summary>What is wrong inside a JSON body, naming the member; null when nothing is (or it is not JSON at all,
    /// which the endpoint's own reader reports).</summary>
    internal static (string Field, string Message)? CheckJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (CheckString(ref reader) is { } nameProblem)
                        {
                            return (path.Current(), $"A property name {nameProblem}.");
                        }

                        path.Property(reader.ValueIsEscaped ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan));
                        continue;
                    case JsonTokenType.String:
                        if (CheckString(ref reader) is { } stringProblem)
                        {
                            return (path.Current(), $"'{path.Current()}' {stringProblem}.");
                        }

                        break;
                    case JsonTokenType.Number:
                        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                        {
                            return (path.Current(), $"'{path.Current()}' is a number beyond the range of a double (±1.7976931348623157E+308).");
                        }

                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Open(reader.TokenType == JsonTokenType.StartArray);
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.Close();
                        break;
                }

                path.ValueDone();
            }
        }
        catch (JsonException)
        {
            // Not JSON, or too deep: the endpoint's reader answers that with its own 400.
        }

        return null;
    }

    private static string? CheckString(ref Utf8JsonReader reader)
    {
        string text;
        if (reader.ValueIsEscaped)
        {
            try
            {
                text = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                return "is not valid UTF-16 (a lone surrogate)";
            }
        }
        else
        {
            var span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
            if (!Utf8.IsValid(span))
            {
                return "is not valid UTF-8";
            }

            if (span.Length <= MaxJsonStringLength)
            {
                return null;
            }

            text = Encoding.UTF8.GetString(span);
        }

        if (text.Length > MaxJsonStringLength)
        {
            return $"is {text.Length} characters long; no string may be over {MaxJsonStringLength}";
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return "contains a NUL character";
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return "contains a lone UTF-16 surrogate";
            }
        }

        return null;
    }

    private static async Task RefuseAsync(HttpContext context, bool mlflow, string field, string message, int status)
    {
        context.RequestServices.GetRequiredService<ILogger<InputGuard>>()
            .LogInformation("Refused a request to {Path}: {Field}: {Message}", context.Request.Path, field, message);
        IResult result = mlflow
            ? MlflowWire.Error(MlflowException.Invalid(message))
            : status == StatusCodes.Status400BadRequest
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: "The request was not stored or answered: " + message)
                : TypedResults.Problem(message, statusCode: status, title: "Request body too large");
        await result.ExecuteAsync(context);
    }

    // Where the reader is, as a JSON path without the leading "$." (config.a, metrics[3].key).
    private sealed class JsonPathTracker
    {
        private readonly List<(bool Array, int Index, string? Name)> frames = [];

        public void Open(bool array) => frames.Add((array, 0, null));

        public void Close()
        {
            frames.RemoveAt(frames.Count - 1);
        }

        public void Property(string name) => frames[^1] = frames[^1] with { Name = name };

        // A value (or a whole nested object or array) finished: the next array element gets the next index.
        public void ValueDone()
        {
            if (frames.Count > 0 && frames[^1].Array)
            {
                frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
            }
        }

        public string Current()
        {
            var text = new StringBuilder();
            foreach (var (array, index, name) in frames)
            {
                if (array)
                {
                    text.Append('[').Append(index).Append(']');
                }
                else if (name is not null)
                {
                    text.Append(text.Length > 0 ? "." : "").Append(name.Length > 60 ? name[..60] + "…" : name);
                }
            }

            return text.Length == 0 ? "body" : text.ToString();
        }
    }
}
