using System.Security.Cryptography;
using System.Text;
using EarlyBert.Tracker.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Tracker.Tests.Artifacts;

/// <summary>
/// The client's own check of a download, against a real HTTP server that answers whole bodies under a recorded
/// hash of its choosing (the tracker itself breaks a damaged transfer before the client could see it whole).
/// </summary>
public sealed class ClientDownloadVerificationTests
{
    [Fact]
    public async Task A_whole_body_that_does_not_have_the_recorded_hash_throws_naming_both_hashes_and_a_matching_one_returns_its_hash()
    {
        var body = Encoding.UTF8.GetBytes("the artifact as it arrives");
        var recordedForOther = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("the artifact as recorded")));
        var recordedForBody = Convert.ToHexStringLower(SHA256.HashData(body));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        server.MapGet("/api/runs/{runId:guid}/artifacts/content", (string path, HttpContext context) =>
        {
            context.Response.Headers[TrackerClient.Sha256Header] = path == "damaged.bin" ? recordedForOther : recordedForBody;
            return Results.Bytes(body, "application/octet-stream");
        });
        await server.StartAsync();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address + "/") };
        var client = new TrackerClient(http);
        var runId = Guid.NewGuid();

        using var damaged = new MemoryStream();
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => client.DownloadArtifactAsync(runId, "damaged.bin", damaged, CancellationToken.None));
        Assert.Contains(recordedForOther, failure.Message, StringComparison.Ordinal);
        Assert.Contains(recordedForBody, failure.Message, StringComparison.Ordinal);
        Assert.Contains("damaged.bin", failure.Message, StringComparison.Ordinal);

        using var whole = new MemoryStream();
        Assert.Equal(recordedForBody, await client.DownloadArtifactAsync(runId, "whole.bin", whole, CancellationToken.None));
        Assert.Equal(body, whole.ToArray());
        await server.StopAsync();
    }
}
