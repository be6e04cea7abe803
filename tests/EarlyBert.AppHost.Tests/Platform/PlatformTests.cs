using System.Net;
using System.Text.Json;
using Minio;
using Minio.DataModel.Args;
using Xunit.Abstractions;

namespace EarlyBert.AppHost.Tests.Platform;

[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(PlatformFixture platform, ITestOutputHelper output)
{
    // The tracker's default artifact bucket, created by the tracker at start-up.
    private const string Bucket = "earlybert-artifacts";

    [Fact]
    public async Task Platform_starts_healthy_on_real_infrastructure_stops_without_leftovers_and_restarts_with_its_data()
    {
        output.WriteLine($"Start-up to all services healthy: {platform.StartUpTime.TotalSeconds:0.0} s");
        output.WriteLine($"Processes: {string.Join(", ", platform.ProcessIds.Select(p => $"{p.Key}={p.Value}"))}");
        output.WriteLine($"Memory of the started processes: {ResidentMegabytes(platform.ProcessTree):0} MB");

        using var tracker = platform.CreateTrackerHttpClient();
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
        // No GPU on the machines that run this suite: the worker resolved "auto" to the CPU and says so.
        Assert.StartsWith("cpu, ", worker.GetProperty("device").GetString());

        var objectKey = $"persistence-check/{Guid.NewGuid()}";
        var objectBytes = System.Text.Encoding.UTF8.GetBytes("kept across restarts");
        await PutObjectAsync(objectKey, objectBytes);

        Assert.Contains("postgres", platform.ProcessIds.Keys);
        Assert.Contains("artifacts", platform.ProcessIds.Keys);
        var leftovers = await platform.StopAndFindLeftoversAsync();
        Assert.True(leftovers.Count == 0, "Still running after stop: " + string.Join("; ", leftovers));

        // A restart on the same state folder finds everything the first run stored.
        await platform.StartAsync();
        output.WriteLine($"Restart to all services healthy: {platform.StartUpTime.TotalSeconds:0.0} s");
        using var trackerAgain = platform.CreateTrackerHttpClient();
        using var workersAgain = JsonDocument.Parse(await trackerAgain.GetStringAsync("/api/workers"));
        Assert.Contains(
            worker.GetProperty("id").GetString(),
            workersAgain.RootElement.EnumerateArray().Select(w => w.GetProperty("id").GetString()));
        // The restarted platform's worker reported too (other tests of the collection may have started more workers).
        Assert.Contains(workersAgain.RootElement.EnumerateArray(), w => w.GetProperty("id").GetString() != worker.GetProperty("id").GetString()
            && w.GetProperty("lastHeartbeatAt").GetDateTimeOffset() > worker.GetProperty("lastHeartbeatAt").GetDateTimeOffset());
        Assert.Equal(objectBytes, await GetObjectAsync(objectKey));

        var leftoversAfterRestart = await platform.StopAndFindLeftoversAsync();
        Assert.True(leftoversAfterRestart.Count == 0, "Still running after the second stop: " + string.Join("; ", leftoversAfterRestart));
    }

    private async Task<IMinioClient> S3Async()
    {
        var parts = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = await platform.App.GetConnectionStringAsync("artifacts") };
        var endpoint = new Uri((string)parts["Endpoint"]);
        return new MinioClient().WithEndpoint(endpoint.Host, endpoint.Port)
            .WithCredentials((string)parts["AccessKey"], (string)parts["SecretKey"]).Build();
    }

    private async Task PutObjectAsync(string key, byte[] bytes)
    {
        var s3 = await S3Async();
        await s3.PutObjectAsync(new PutObjectArgs().WithBucket(Bucket).WithObject(key)
            .WithStreamData(new MemoryStream(bytes)).WithObjectSize(bytes.Length));
    }

    private async Task<byte[]> GetObjectAsync(string key)
    {
        var s3 = await S3Async();
        using var copy = new MemoryStream();
        await s3.GetObjectAsync(new GetObjectArgs().WithBucket(Bucket).WithObject(key)
            .WithCallbackStream((stream, token) => stream.CopyToAsync(copy, token)));
        return copy.ToArray();
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
