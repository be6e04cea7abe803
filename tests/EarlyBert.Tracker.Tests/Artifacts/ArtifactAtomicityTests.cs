using System.Net.Http.Headers;
using System.Security.Cryptography;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class ArtifactAtomicityTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    private readonly TrackerClient client = tracker.Client();

    [Fact]
    public async Task Upload_cut_mid_body_leaves_no_row_no_object_and_no_unfinished_multipart_upload()
    {
        var run = await tracker.NewRunAsync();
        // Over the 5 MiB multipart threshold with its full length announced, so S3 has a multipart upload with one part
        // stored when the body breaks off.
        const long announced = 12L * 1024 * 1024;
        var logs = new LogSink();
        using var logged = tracker.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var http = Unbuffered(logged);
        using var gone = new CancellationTokenSource();
        using var body = new StreamContent(new CutStream(RandomNumberGenerator.GetBytes(7 * 1024 * 1024), () => GoneAsync(run.Id, gone)));
        body.Headers.ContentLength = announced;
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        var cut = await Record.ExceptionAsync(() => http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=model.bin", body, gone.Token));
        await tracker.WaitForUploadsToEndAsync(run.Id);

        Assert.NotNull(cut);
        Assert.Null(await tracker.RowAsync(run.Id, "model.bin"));
        Assert.Empty(await tracker.ObjectsAsync(run.Id));
        Assert.Empty(await tracker.UnfinishedUploadsAsync(run.Id));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"Upload of artifact model.bin of run {run.Id} failed", StringComparison.Ordinal)
            && e.Message.EndsWith("was removed and no row changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_cut_mid_body_keeps_the_previous_version_whole()
    {
        var run = await tracker.NewRunAsync();
        var first = RandomNumberGenerator.GetBytes(100_000);
        await client.UploadArtifactAsync(run.Id, "model.bin", new MemoryStream(first), "application/octet-stream", CancellationToken.None);
        var before = await tracker.RowAsync(run.Id, "model.bin");
        using var http = Unbuffered(tracker);
        using var gone = new CancellationTokenSource();
        using var body = new StreamContent(new CutStream(RandomNumberGenerator.GetBytes(6 * 1024 * 1024), () => GoneAsync(run.Id, gone)));
        body.Headers.ContentLength = 8L * 1024 * 1024;

        await Record.ExceptionAsync(() => http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=model.bin", body, gone.Token));
        await tracker.WaitForUploadsToEndAsync(run.Id);
        using var copy = new MemoryStream();
        await client.DownloadArtifactAsync(run.Id, "model.bin", copy, CancellationToken.None);

        Assert.Equal(before, await tracker.RowAsync(run.Id, "model.bin"));
        Assert.Equal([before!.Value.ObjectKey], await tracker.ObjectsAsync(run.Id));
        Assert.Empty(await tracker.UnfinishedUploadsAsync(run.Id));
        Assert.Equal(first, copy.ToArray());
    }

    [Fact]
    public async Task Database_error_after_the_put_removes_the_new_object_and_changes_no_row()
    {
        var run = await tracker.NewRunAsync();
        var first = RandomNumberGenerator.GetBytes(50_000);
        var refused = RandomNumberGenerator.GetBytes(60_000);
        await client.UploadArtifactAsync(run.Id, "weights.bin", new MemoryStream(first), "application/octet-stream", CancellationToken.None);
        var before = await tracker.RowAsync(run.Id, "weights.bin");
        // A real PostgreSQL error, raised only when the row would take the second upload's bytes.
        var function = $"refuse_{Guid.NewGuid():N}";
        await ExecuteAsync($"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON artifacts FOR EACH ROW
                WHEN (NEW.sha256 = '{ArtifactFixtures.Sha256(refused)}') EXECUTE FUNCTION {function}();
            """);

        using var http = tracker.CreateClient();
        using var response = await http.PutAsync($"/api/runs/{run.Id}/artifacts/content?path=weights.bin", new ByteArrayContent(refused));

        // A server error (500, or 503 where database errors are answered as unavailability), never a success.
        Assert.True((int)response.StatusCode >= 500, $"expected a server error, got {response.StatusCode}");
        Assert.Equal(before, await tracker.RowAsync(run.Id, "weights.bin"));
        Assert.Equal([before!.Value.ObjectKey], await tracker.ObjectsAsync(run.Id));
        Assert.Equal(0, await tracker.CountAsync("SELECT count(*) FROM artifact_uploads WHERE run_id = $1", run.Id));
        Assert.Equal(ArtifactFixtures.Sha256(first), (await tracker.ReadObjectAsync(before.Value.ObjectKey)).Sha256);
    }

    [Fact]
    public async Task Overwrite_keeps_exactly_one_object_per_path_and_its_bytes_match_the_row()
    {
        var run = await tracker.NewRunAsync();
        byte[] last = [];
        for (var version = 0; version < 3; version++)
        {
            last = RandomNumberGenerator.GetBytes(10_000 + version);
            await client.UploadArtifactAsync(run.Id, "eval/metrics.json", new MemoryStream(last), "application/json", CancellationToken.None);
        }

        await client.UploadArtifactAsync(run.Id, "config.json", new MemoryStream("{}"u8.ToArray()), "application/json", CancellationToken.None);

        var row = await tracker.RowAsync(run.Id, "eval/metrics.json");
        var objects = await tracker.ObjectsAsync(run.Id);
        Assert.Equal(2, objects.Count);
        Assert.Contains(row!.Value.ObjectKey, objects);
        Assert.StartsWith($"runs/{run.Id}/objects/", row.Value.ObjectKey);
        Assert.Equal(ArtifactFixtures.Sha256(last), row.Value.Sha256);
        Assert.Equal(new(last.Length, row.Value.Sha256), await tracker.ReadObjectAsync(row.Value.ObjectKey));
    }

    [Fact]
    public async Task Concurrent_uploads_to_one_path_leave_one_row_and_one_object_that_match()
    {
        var run = await tracker.NewRunAsync();
        var versions = Enumerable.Range(0, 8).Select(i => RandomNumberGenerator.GetBytes(200_000 + i)).ToList();

        await Task.WhenAll(versions.Select(bytes => Task.Run(() =>
            client.UploadArtifactAsync(run.Id, "checkpoint/model.safetensors", new MemoryStream(bytes), "application/octet-stream", CancellationToken.None))));

        var row = await tracker.RowAsync(run.Id, "checkpoint/model.safetensors");
        var winner = Assert.Single(versions, bytes => ArtifactFixtures.Sha256(bytes) == row!.Value.Sha256);
        Assert.Equal(1, await tracker.CountAsync("SELECT count(*) FROM artifacts WHERE run_id = $1", run.Id));
        Assert.Equal([row!.Value.ObjectKey], await tracker.ObjectsAsync(run.Id));
        Assert.Equal(new(winner.Length, row.Value.Sha256), await tracker.ReadObjectAsync(row.Value.ObjectKey));
        using var copy = new MemoryStream();
        await client.DownloadArtifactAsync(run.Id, "checkpoint/model.safetensors", copy, CancellationToken.None);
        Assert.Equal(winner, copy.ToArray());
    }

    // Once S3 holds part of the body, the client goes away (the in-memory server learns it from the cancellation).
    private async Task GoneAsync(Guid runId, CancellationTokenSource gone)
    {
        await tracker.UntilMultipartUploadStartedAsync(runId);
        await gone.CancelAsync();
    }

    // A client straight onto the test server: the factory's own clients buffer request bodies (to replay them on
    // redirects), so a body that breaks off would never reach the server. It sends the same default headers as the
    // factory's clients (the API key among them).
    private static HttpClient Unbuffered<T>(WebApplicationFactory<T> factory) where T : class
    {
        using var configured = factory.CreateClient();
        var client = new HttpClient(factory.Server.CreateHandler()) { BaseAddress = configured.BaseAddress };
        foreach (var (name, values) in configured.DefaultRequestHeaders)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(name, values);
        }

        return client;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
