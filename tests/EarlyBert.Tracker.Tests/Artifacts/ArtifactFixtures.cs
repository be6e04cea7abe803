using System.Security.Cryptography;
using EarlyBert.Tracker.Artifacts;
using EarlyBert.Tracker.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EarlyBert.Tracker.Tests.Artifacts;

/// <summary>What the artifact tests look at directly in S3 and PostgreSQL, beside the API.</summary>
internal static class ArtifactFixtures
{
    public static ArtifactStore Store(this TrackerAppFactory tracker) => tracker.Services.GetRequiredService<ArtifactStore>();

    /// <summary>Every object key under the run's prefix.</summary>
    public static async Task<List<string>> ObjectsAsync(this TrackerAppFactory tracker, Guid runId)
    {
        var keys = new List<string>();
        await foreach (var (key, _) in tracker.Store().ListAsync($"runs/{runId}/", CancellationToken.None))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>Every key under the run's prefix with an unfinished multipart upload.</summary>
    public static async Task<List<string>> UnfinishedUploadsAsync(this TrackerAppFactory tracker, Guid runId)
    {
        var keys = new List<string>();
        await foreach (var (key, _) in tracker.Store().ListUnfinishedUploadsAsync($"runs/{runId}/", CancellationToken.None))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>The artifact's row as (object key, size, sha256); null when there is none.</summary>
    public static async Task<(string ObjectKey, long Size, string Sha256)?> RowAsync(this TrackerAppFactory tracker, Guid runId, string path)
    {
        await using var connection = new NpgsqlConnection(tracker.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT object_key, size, sha256 FROM artifacts WHERE run_id = $1 AND path = $2", connection);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(path);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt64(1), reader.GetString(2)) : null;
    }

    /// <summary>The SHA-256 and size of the object's bytes as S3 has them, read without any check.</summary>
    public static async Task<StoredObject> ReadObjectAsync(this TrackerAppFactory tracker, string key)
    {
        using var copy = new MemoryStream();
        // An impossible expectation: everything up to the end is read, nothing is withheld that matters here.
        var read = await tracker.Store().GetAsync(key, new StoredObject(long.MaxValue, ""), copy, CancellationToken.None);
        Assert.NotNull(read);
        return read;
    }

    /// <summary>Waits until no upload of the run is in flight any more (the server finished, including cleanup).</summary>
    public static async Task WaitForUploadsToEndAsync(this TrackerAppFactory tracker, Guid runId)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            if (await tracker.CountAsync("SELECT count(*) FROM artifact_uploads WHERE run_id = $1", runId) == 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the failed upload was not cleaned up within 30 s");
        }
    }

    /// <summary>
    /// Waits until S3 has an unfinished multipart upload under the run's prefix, then a second more for the body's first
    /// part to reach it: the moment to cut an upload off.
    /// </summary>
    public static async Task UntilMultipartUploadStartedAsync(this TrackerAppFactory tracker, Guid runId)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); (await tracker.UnfinishedUploadsAsync(runId)).Count == 0; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, "the server did not start a multipart upload within 30 s");
        }

        await Task.Delay(1000);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>
/// A request body that sends <paramref name="bytes"/> and then fails, like a client that goes away mid-upload; before
/// failing it waits for <paramref name="beforeCut"/> (what the test needs to see on the server mid-upload), else half a
/// second.
/// </summary>
internal sealed class CutStream(byte[] bytes, Func<Task>? beforeCut = null) : Stream
{
    private int sent;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (sent == bytes.Length)
        {
            // Let the server consume what was sent before the connection breaks.
            await (beforeCut?.Invoke() ?? Task.Delay(500, cancellationToken));
            throw new IOException("The client went away.");
        }

        var count = Math.Min(buffer.Length, bytes.Length - sent);
        bytes.AsMemory(sent, count).CopyTo(buffer);
        sent += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
