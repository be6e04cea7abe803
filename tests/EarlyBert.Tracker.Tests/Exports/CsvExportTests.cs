using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Runs;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Exports;

public sealed class CsvExportTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Run_list_csv_has_the_chosen_param_and_metric_columns_and_quotes_text()
    {
        var experiment = $"csv-{Guid.NewGuid():N}";
        var run = await tracker.NewRunAsync(RunStatuses.Running, experiment, "name, with \"quotes\"");
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(),
            [new MetricPoint("val_loss", 1, 0.25)], new Dictionary<string, string> { ["lr"] = "=HYPERLINK(\"x\")" }), CancellationToken.None);
        await tracker.NewRunAsync(RunStatuses.Queued, experiment, "plain");

        var csv = await client.ExportRunsCsvAsync($"experiment = '{experiment}'", ["lr"], ["val_loss", "absent"], CancellationToken.None);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("id,experiment,name,status,created_at,started_at,ended_at,worker,params.lr,metrics.val_loss,metrics.absent", lines[0]);
        Assert.Equal(3, lines.Length);
        var row = lines.Single(l => l.StartsWith(run.Id.ToString(), StringComparison.Ordinal));
        Assert.Contains("\"name, with \"\"quotes\"\"\"", row);
        Assert.EndsWith(",\"'=HYPERLINK(\"\"x\"\")\",0.25,", row);
    }

    [Fact]
    public async Task Series_csv_lists_every_point_with_nan_kept()
    {
        var run = await tracker.NewRunAsync();
        await client.LogBatchAsync(run.Id, new RunBatch(Guid.NewGuid(),
            [new MetricPoint("loss", 0, 1.5, 0.0), new MetricPoint("loss", 1, double.NaN, 0.5), new MetricPoint("loss", 2, 0.5)]), CancellationToken.None);

        var csv = await client.ExportSeriesCsvAsync(run.Id, "loss", CancellationToken.None);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("step,epoch,timestamp,value", lines[0]);
        Assert.Equal(["0,0,2026-11-28T12:00:00.000Z,1.5", "1,0.5,2026-11-28T12:00:00.000Z,NaN", "2,,2026-11-28T12:00:00.000Z,0.5"], lines[1..]);
    }

    [Fact]
    public async Task Csv_export_with_a_bad_filter_is_400()
    {
        using var http = tracker.CreateClient();

        using var response = await http.GetAsync("/api/runs/export.csv?filter=" + Uri.EscapeDataString("status = "));

        await response.AssertProblemAsync(System.Net.HttpStatusCode.BadRequest);
    }
}
