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
    /// Copies the object at <paramref name="key"/> into <paramref name="destination"/> and returns what was read,
    /// with the SHA-256 of the bytes actually received; <c>null</c> when there is no such object.
    /// </summary>
    public async Task<StoredObject?> GetAsync(string key, Stream destination, CancellationToken cancellationToken)
    {
        StoredObject? received = null;
        try
        {
            await minio.GetObjectAsync(
                new GetObjectArgs()
                    .WithBucket(Bucket)
                    .WithObject(key)
                    .WithCallbackStream(async (stream, token) =>
                    {
                        await using var hashing = new HashingStream(stream);
                        await hashing.CopyToAsync(destination, token);
                        received = new StoredObject(hashing.BytesRead, hashing.Sha256Hex);
                    }),
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
}
