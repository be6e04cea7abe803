using System.Runtime.CompilerServices;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Runs;
using EarlyBert.Tracker.Search;
using Npgsql;

namespace EarlyBert.Tracker.Exports;

/// <summary>One row of the runs CSV: the run and the values of the chosen columns, in their order.</summary>
public sealed record RunExportRow(RunSummary Run, string?[] Params, double?[] Metrics);

/// <summary>
/// The runs CSV's rows, read as a stream: the run list's filter and order (already translated to SQL) with the chosen
/// param and metric columns, each column one array per row so the query's shape does not depend on their number.
/// </summary>
public sealed class RunExportQuery(NpgsqlDataSource dataSource)
{
    /// <summary>Reads at most <paramref name="limit"/> rows matching <paramref name="where"/> in <paramref name="order"/>.</summary>
    public async IAsyncEnumerable<RunExportRow> ReadAsync(
        string where, string order, SqlParameters parameters, string[] paramKeys, string[] metricKeys, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var paramsArray = parameters.Add(paramKeys);
        var metricsArray = parameters.Add(metricKeys);
        await using var command = dataSource.CreateCommand($"""
            SELECT {RunQueries.SummaryColumns},
                   ARRAY(SELECT p.value FROM unnest({paramsArray}::text[]) WITH ORDINALITY AS k(key, n)
                         LEFT JOIN params p ON p.run_id = r.id AND p.key = k.key ORDER BY k.n),
                   ARRAY(SELECT s.last_value FROM unnest({metricsArray}::text[]) WITH ORDINALITY AS k(key, n)
                         LEFT JOIN metric_series s ON s.run_id = r.id AND s.key = k.key ORDER BY k.n)
            FROM runs r JOIN experiments e ON e.id = r.experiment_id
            WHERE {where} ORDER BY {order} LIMIT {limit}
            """);
        RunQueries.AddParameters(command, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new RunExportRow(RunQueries.ReadSummary(reader), reader.GetFieldValue<string?[]>(9), reader.GetFieldValue<double?[]>(10));
        }
    }
}
