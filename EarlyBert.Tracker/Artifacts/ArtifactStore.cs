using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace EarlyBert.Tracker.Artifacts;

/// <summary>What was stored: the object's size and the SHA-256 of its bytes.</summary>
/// <param name="Size">Number of bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256.</param>
public sealed record StoredObject(long Size, string Sha256);

/// <summary>
/// The artifact bucket in S3 (Ceph RGW locally, MinIO in containers, any S3 server given by connection string).
/// Bytes stream through; nothing is buffered whole in memory.
/// </summary>
public sealed class ArtifactStore(IMinioClient minio, IOptions<ArtifactStorageOptions> options, ILogger<ArtifactStore> logger)
{
    private string Bucket => options.Value.Bucket;

    /// <summary>Creates the bucket when the server does not have it.</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (await minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), cancellationToken))
        {
            return;
        }

        await minio.MakeBucketAsync(new MakeBucketArgs().WithBucket(Bucket), cancellationToken);
        logger.LogInformation("Created artifact bucket {Bucket}", Bucket);
    }

    /// <summary>Whether the bucket exists (the server answers and accepts our keys).</summary>
    public Task<bool> BucketExistsAsync(CancellationToken cancellationToken) =>
        minio.BucketExistsAsync(new BucketExistsArgs().WithBucket(Bucket), cancellationToken);

    /// <summary>
    /// Uploads <paramref name="content"/> to <paramref name="key"/>, hashing it on the way. Streams of unknown
    /// length are sent as multipart uploads; <paramref name="knownSize"/> (an HTTP request's Content-Length) lets a
    /// large upload use parts sized to it rather than the client library's worst case.
    /// </summary>
    public async Task<StoredObject> PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken, long? knownSize = null)
    {
        long size = knownSize ?? (content.CanSeek ? content.Length - content.Position : -1);
        await using var hashing = new HashingStream(content);
        await minio.PutObjectAsync(
            new PutObjectArgs()
                .WithBucket(Bucket)
                .WithObject(key)
                .WithStreamData(hashing)
                .WithObjectSize(size)
                .WithContentType(contentType),
            cancellationToken);
        return new StoredObject(hashing.BytesRead, hashing.Sha256Hex);
    }

    /// <summary>
    /// Copies the object at <paramref name="key"/> into <paramref name="destination"/> and returns what was read, with
    /// the SHA-256 of the bytes actually received; <c>null</c> when there is no such object. The last bytes are written
    /// only when what was read equals <paramref name="expected"/>, so a reader of <paramref name="destination"/> never
    /// gets a complete copy of other bytes (see <see cref="VerifyingCopy"/>).
    /// </summary>
    public async Task<StoredObject?> GetAsync(string key, StoredObject expected, Stream destination, CancellationToken cancellationToken)
    {
        StoredObject? received = null;
        try
        {
            await minio.GetObjectAsync(
                new GetObjectArgs()
                    .WithBucket(Bucket)
                    .WithObject(key)
                    .WithCallbackStream(async (stream, token) => received = await VerifyingCopy.CopyAsync(stream, destination, expected, token)),
                cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }

        return received;
    }

    /// <summary>Deletes the object at <paramref name="key"/>; deleting a missing object is not an error.</summary>
    public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        minio.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(Bucket).WithObject(key), cancellationToken);

    /// <summary>
    /// Aborts every unfinished multipart upload to <paramref name="key"/>, so S3 frees the parts it kept; a key without
    /// one is not an error.
    /// </summary>
    public Task AbortUploadsAsync(string key, CancellationToken cancellationToken) =>
        minio.RemoveIncompleteUploadAsync(new RemoveIncompleteUploadArgs().WithBucket(Bucket).WithObject(key), cancellationToken);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, with the time S3 gives as its last change.</summary>
    public async IAsyncEnumerable<(string Key, DateTimeOffset? LastModified)> ListAsync(
        string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var args = new ListObjectsArgs().WithBucket(Bucket).WithPrefix(prefix).WithRecursive(true);
        await foreach (var item in minio.ListObjectsEnumAsync(args, cancellationToken))
        {
            if (!item.IsDir)
            {
                yield return (item.Key, ParseTime(item.LastModified));
            }
        }
    }

    /// <summary>Every unfinished multipart upload to a key under <paramref name="prefix"/>, with when it was started.</summary>
    public async IAsyncEnumerable<(string Key, DateTimeOffset? Initiated)> ListUnfinishedUploadsAsync(
        string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var args = new ListIncompleteUploadsArgs().WithBucket(Bucket).WithPrefix(prefix).WithRecursive(true);
        await foreach (var upload in minio.ListIncompleteUploadsEnumAsync(args, cancellationToken))
        {
            yield return (upload.Key, ParseTime(upload.Initiated));
        }
    }

    // S3 gives ISO 8601 times in UTC; the client library's own parsing turns them into local times.
    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
