using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Writes a health report as JSON (overall status plus each check's status and duration), so that a person or a
/// test can see which dependency is unhealthy, not just that something is. <c>/health</c> is open to anyone who can
/// reach the service, so the body never carries a check's description or exception text (they can name hosts, users
/// and connection details); those go to the log instead.
/// </summary>
public static class HealthReportWriter
{
    /// <summary>Writes <paramref name="report"/> to the response as <c>application/json</c>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var unhealthy = report.Entries.Where(entry => entry.Value.Status != HealthStatus.Healthy).ToList();
        if (unhealthy.Count > 0)
        {
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HealthReportWriter));
            foreach (var (name, entry) in unhealthy)
            {
                logger.LogWarning(entry.Exception, "Health check {Check} is {Status}: {Description}", name, entry.Status, entry.Description ?? entry.Exception?.Message);
            }
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object?>
        {
            ["status"] = report.Status.ToString(),
            ["totalDurationMs"] = report.TotalDuration.TotalMilliseconds,
            ["checks"] = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new Dictionary<string, object?>
                {
                    ["status"] = entry.Value.Status.ToString(),
                    ["durationMs"] = entry.Value.Duration.TotalMilliseconds,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
