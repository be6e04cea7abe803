using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace EarlyBert.AppHost.Tests.Platform;

[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(PlatformFixture platform, ITestOutputHelper output)
{
    [Fact]
    public async Task Platform_starts_healthy_with_real_infrastructure_and_leaves_no_process_behind_when_stopped()
    {
        output.WriteLine($"Start-up to all services healthy: {platform.StartUpTime.TotalSeconds:0.0} s");
        output.WriteLine($"Processes: {string.Join(", ", platform.ProcessIds.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"Memory of the started processes: {ResidentMegabytes(platform.ProcessTree):0} MB");

        using var tracker = platform.App.CreateHttpClient("tracker");
        using var health = JsonDocument.Parse(await tracker.GetStringAsync("/health"));
        var checks = health.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("PostgreSql").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("s3").GetProperty("status").GetString());

        using var web = platform.App.CreateHttpClient("web");
        using var home = await web.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var page = await home.Content.ReadAsStringAsync();
        Assert.Contains("<title>Runs · EarlyBert</title>", page);
        Assert.Contains("EarlyBert", page);

        using var workers = JsonDocument.Parse(await tracker.GetStringAsync("/api/workers"));
        var worker = Assert.Single(workers.RootElement.EnumerateArray());
        Assert.Contains(worker.GetProperty("processId").GetInt32(), platform.ProcessTree);

        Assert.Contains("postgres", platform.ProcessIds.Keys);
        Assert.Contains("artifacts", platform.ProcessIds.Keys);
        var leftovers = await platform.StopAndFindLeftoversAsync();
        Assert.True(leftovers.Count == 0, "Still running after stop: " + string.Join("; ", leftovers));
    }

    private static double ResidentMegabytes(IEnumerable<int> processIds)
    {
        long kilobytes = 0;
        foreach (var pid in processIds)
        {
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status))
            {
                continue;
            }

            var line = File.ReadAllLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null)
            {
                kilobytes += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return kilobytes / 1024.0;
    }
}
