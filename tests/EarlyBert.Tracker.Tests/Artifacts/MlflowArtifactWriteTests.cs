using System.Net;
using System.Security.Cryptography;
using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Artifacts;

public sealed class MlflowArtifactWriteTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task Mlflow_artifact_uploads_go_through_the_shared_writer_and_downloads_through_the_verifying_reader()
    {
        var run = await tracker.NewRunAsync();
        using var http = tracker.CreateClient();
        var url = $"/api/2.0/mlflow-artifacts/artifacts/0/{run.Id}/artifacts/model/weights.bin";
        var first = RandomNumberGenerator.GetBytes(40_000);
        var second = RandomNumberGenerator.GetBytes(50_000);

        using (var put = await http.PutAsync(url, new ByteArrayContent(first)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var replacedKey = (await tracker.RowAsync(run.Id, "model/weights.bin"))!.Value.ObjectKey;
        using (var put = await http.PutAsync(url, new ByteArrayContent(second)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var row = (await tracker.RowAsync(run.Id, "model/weights.bin"))!.Value;
        Assert.StartsWith($"runs/{run.Id}/objects/", row.ObjectKey);
        Assert.NotEqual(replacedKey, row.ObjectKey);
        Assert.Equal([row.ObjectKey], await tracker.ObjectsAsync(run.Id));
        Assert.Equal(new(second.Length, ArtifactFixtures.Sha256(second)), await tracker.ReadObjectAsync(row.ObjectKey));
        Assert.Equal(second, await http.GetByteArrayAsync(url));

        // Other bytes under the row's key: the MLflow download must break as the tracker's own does.
        await tracker.Store().PutAsync(row.ObjectKey, new MemoryStream(first), "application/octet-stream", CancellationToken.None);
        var failure = await Record.ExceptionAsync(() => http.GetByteArrayAsync(url));
        Assert.True(failure is IOException or HttpRequestException, $"the download should break, not: {failure?.ToString() ?? "a clean end"}");
    }
}
