namespace EarlyBert.Tracker.Tests.Hardening;

/// <summary>One malformed request of the hardening suite.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Url">Path and query, already escaped (a lone surrogate travels as its WTF-8 bytes).</param>
/// <param name="Body">JSON body text; null for none.</param>
/// <param name="Route">The route it was made from (for the report).</param>
/// <param name="What">What is malformed.</param>
/// <param name="Mlflow">Whether the route answers in MLflow's error shape rather than ProblemDetails.</param>
public sealed record MalformedRequest(string Method, string Url, string? Body, string Route, string What, bool Mlflow)
{
    /// <inheritdoc />
    public override string ToString() => $"{Method} {Route} [{What}]";
}

/// <summary>The bad values the suite puts into each place a value can go.</summary>
public static class BadValues
{
    /// <summary>Longer than any string limit of the tracker (notes: 100,000 characters).</summary>
    public const int OverLong = 200_001;

    /// <summary>Longer than any URL value the tracker takes, and short enough for <see cref="Uri"/> (65,519 characters).</summary>
    public const int UrlOverLong = 20_001;

    /// <summary>Bad values of a string in a URL (path segment or query), escaped.</summary>
    public static IEnumerable<(string What, string Escaped)> UrlStrings()
    {
        yield return ("NUL", "a%00b");
        // No UTF-8 encodes a lone surrogate: these are its WTF-8 bytes, which a server must not take for text.
        yield return ("lone surrogate", "a%ED%A0%80b");
        yield return ("invalid UTF-8", "a%C3%28b");
        yield return ("over-long", new string('x', UrlOverLong));
    }

    /// <summary>Bad values of an integer in a URL.</summary>
    public static IEnumerable<(string What, string Escaped)> UrlIntegers()
    {
        yield return ("beyond int64", "99999999999999999999999");
        yield return ("int64 max", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("int64 min", long.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("negative", "-1");
        yield return ("zero", "0");
        yield return ("1e999", "1e999");
        yield return ("NaN", "NaN");
        yield return ("NUL", "1%002");
    }

    /// <summary>Bad JSON for a string member.</summary>
    public static IEnumerable<(string What, string Json)> JsonStrings()
    {
        yield return ("NUL", "\"a\\u0000b\"");
        yield return ("lone surrogate", "\"a\\ud800b\"");
        yield return ("lone low surrogate", "\"\\udc00\"");
        yield return ("over-long", "\"" + new string('x', OverLong) + "\"");
    }

    /// <summary>Bad JSON for any number member: numbers a double cannot hold.</summary>
    public static IEnumerable<(string What, string Json)> JsonNumbers()
    {
        yield return ("1e999", "1e999");
        yield return ("-1e999", "-1e999");
        yield return ("400-digit integer", "1" + new string('0', 400));
    }

    /// <summary>Bad JSON for an integer member (a count, a step, a time).</summary>
    public static IEnumerable<(string What, string Json)> JsonIntegers() =>
        JsonNumbers().Concat([("beyond int64", "123456789012345678901234567890"), ("fraction", "1.5")]);

    /// <summary>Bad JSON where any JSON value goes (a config, a metadata value).</summary>
    public static IEnumerable<(string What, string Json)> JsonAny()
    {
        yield return ("number beyond double", "{\"a\": 1e999}");
        yield return ("nested number beyond double", "{\"a\": [1, {\"b\": -1e400}]}");
        yield return ("huge integer", "{\"a\": 1" + new string('0', 400) + "}");
        yield return ("NUL", "{\"a\": \"b\\u0000\"}");
        yield return ("NUL in a key", "{\"a\\u0000\": 1}");
        yield return ("lone surrogate", "{\"a\": \"\\ud800\"}");
        yield return ("over-long string", "{\"a\": \"" + new string('x', OverLong) + "\"}");
        yield return ("deep", new string('[', 200) + new string(']', 200));
    }

    /// <summary>Stands for a body whose bytes are not UTF-8 (<c>{"a": "</c> C3 28 <c>"}</c>); the sender writes those bytes.</summary>
    public const string InvalidUtf8Body = "<invalid UTF-8>";

    /// <summary>Whole bodies that are not what any endpoint takes.</summary>
    public static IEnumerable<(string What, string Json)> Bodies()
    {
        yield return ("empty body", "");
        yield return ("array body", "[]");
        yield return ("number body", "1");
        yield return ("string body", "\"x\"");
        yield return ("null body", "null");
        yield return ("truncated JSON", "{\"a\":");
        yield return ("invalid UTF-8 body", InvalidUtf8Body);
    }
}
