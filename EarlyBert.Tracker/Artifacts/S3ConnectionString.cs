using System.Data.Common;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>
/// The S3 server as the AppHost describes it: <c>Endpoint=http://host:port;AccessKey=…;SecretKey=…</c>.
/// </summary>
/// <param name="Endpoint">Base URL of the S3 API; its scheme decides whether TLS is used.</param>
/// <param name="AccessKey">Access key id.</param>
/// <param name="SecretKey">Secret access key.</param>
public sealed record S3ConnectionString(Uri Endpoint, string AccessKey, string SecretKey)
{
    /// <summary>Parses a connection string, saying which part is missing or wrong when it is not usable.</summary>
    public static S3ConnectionString Parse(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        string Required(string key) =>
            parts.TryGetValue(key, out var value) && value is string text && text.Length > 0
                ? text
                : throw new FormatException($"The S3 connection string has no '{key}'.");

        var endpointText = Required("Endpoint");
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != "http" && endpoint.Scheme != "https"))
        {
            throw new FormatException($"The S3 endpoint '{endpointText}' is not an absolute http or https URL.");
        }

        return new S3ConnectionString(endpoint, Required("AccessKey"), Required("SecretKey"));
    }
}
