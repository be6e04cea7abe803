using EarlyBert.Tracker.Tests.Infrastructure;

namespace EarlyBert.Tracker.Tests.Runs;

public sealed class OpenApiTests(TrackerAppFactory tracker) : IClassFixture<TrackerAppFactory>
{
    [Fact]
    public async Task OpenApi_document_describes_every_area()
    {
        using var http = tracker.CreateClient();

        var document = await http.GetStringAsync("/openapi/v1.json");

        foreach (var path in new[]
        {
            "/api/experiments", "/api/runs", "/api/runs/{runId}/batch", "/api/runs/claim", "/api/runs/{runId}/metrics/downsampled",
            "/api/compare", "/api/runs/{runId}/artifacts/content", "/api/runs/export.csv", "/api/runs/{runId}/events", "/api/workers",
        })
        {
            Assert.Contains($"\"{path}\"", document);
        }
    }
}
