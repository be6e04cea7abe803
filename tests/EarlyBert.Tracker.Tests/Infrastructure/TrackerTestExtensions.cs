using System.Net;
using System.Text;
using System.Text.Json;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Infrastructure;

/// <summary>Shortcuts the functional tests share.</summary>
public static class TrackerTestExtensions
{
    /// <summary>A typed client of the in-process tracker.</summary>
    public static TrackerClient Client(this TrackerAppFactory tracker) => new(tracker.CreateClient());

    /// <summary>Creates a run in a fresh experiment (or the named one).</summary>
    public static async Task<Run> NewRunAsync(this TrackerAppFactory tracker, string status = RunStatuses.Running, string? experiment = null, string? name = null)
    {
        var client = tracker.Client();
        var experimentName = experiment ?? $"exp-{Guid.NewGuid():N}";
        await client.EnsureExperimentAsync(experimentName, null, CancellationToken.None);
        return await client.CreateRunAsync(new CreateRun(experimentName, name, status), CancellationToken.None);
    }

    /// <summary>Posts raw JSON text (for malformed and hand-written bodies).</summary>
    public static async Task<HttpResponseMessage> PostJsonTextAsync(this TrackerAppFactory tracker, string url, string json)
    {
        using var http = tracker.CreateClient();
        return await http.PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
    }

    /// <summary>Asserts a ProblemDetails answer with <paramref name="status"/> and returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>A single number from the tracker's own database.</summary>
    public static async Task<long> CountAsync(this TrackerAppFactory tracker, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>A snapshot of every row a run owns, to show that a rejected request changed nothing.</summary>
    public static async Task<string> SnapshotAsync(this TrackerAppFactory tracker, Guid runId)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        var text = new StringBuilder();
        foreach (var sql in new[]
        {
            "SELECT status, notes, status_reason FROM runs WHERE id = $1",
            "SELECT key || '=' || value FROM params WHERE run_id = $1 ORDER BY key",
            "SELECT key || '=' || value FROM run_tags WHERE run_id = $1 ORDER BY key",
            "SELECT key || '=' || value::text FROM run_metadata WHERE run_id = $1 ORDER BY key",
            "SELECT key || ':' || point_count || ':' || max_step || ':' || last_value FROM metric_series WHERE run_id = $1 ORDER BY key",
            "SELECT count(*)::text FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.run_id = $1",
            "SELECT coalesce(sum(m.point_count), 0)::text FROM metric_summaries m JOIN metric_series s ON s.id = m.series_id WHERE s.run_id = $1",
            "SELECT count(*)::text FROM run_batches WHERE run_id = $1",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue(runId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(reader.IsDBNull(i) ? "<null>" : reader.GetValue(i)).Append('|');
                }

                text.Append('\n');
            }

            text.Append("--\n");
        }

        return text.ToString();
    }
}
