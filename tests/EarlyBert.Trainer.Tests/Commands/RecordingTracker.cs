using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Trainer.Tests.Commands;

/// <summary>
/// A real HTTP server (Kestrel on a loopback port) standing where a tracker would, that records the Authorization
/// header of every request and answers as an API-key-checking tracker would: 401 without a key, 403 for
/// <see cref="ReadOnlyKey"/> on writes and key routes, and for <see cref="AdminKey"/> an empty key list, a created
/// key and 204 for a revocation. Other routes are 404: these tests are about what reaches the server.
/// </summary>
internal sealed class RecordingTracker : IAsyncDisposable
{
    public const string AdminKey = "ebk_AdminAdminAdminAdminAdminAdminAdminAdminAd";
    public const string ReadOnlyKey = "ebk_ReadReadReadReadReadReadReadReadReadReadRea";
    public const string CreatedKey = "ebk_CreatedCreatedCreatedCreatedCreatedCreated";

    private readonly WebApplication app;

    private RecordingTracker(WebApplication app, string address, ConcurrentQueue<(string, string)> requests)
    {
        this.app = app;
        Address = address;
        Requests = requests;
    }

    /// <summary>Each request as "METHOD /path" and the Authorization header it carried ("" when none).</summary>
    public ConcurrentQueue<(string Request, string Authorization)> Requests { get; }

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    public static async Task<RecordingTracker> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string, string)>();
        app.Use(async (context, next) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            requests.Enqueue(($"{context.Request.Method} {context.Request.Path}", authorization));
            var isRead = HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments("/api/keys");
            var problem = authorization switch
            {
                "Bearer " + AdminKey => null,
                "Bearer " + ReadOnlyKey when isRead => null,
                "Bearer " + ReadOnlyKey => (403, "This request needs an API key with the write scope."),
                _ => ((int, string)?)(401, "This request needs an API key."),
            };
            if (problem is var (status, detail))
            {
                await Results.Problem(detail, statusCode: status).ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        app.MapGet("/api/keys", () => Results.Json(new object[]
        {
            new { id = Guid.Empty, name = "admin", prefix = "ebk_AdminAdm", scopes = new[] { "admin" }, source = "configuration", createdAt = DateTimeOffset.UnixEpoch, lastUsedAt = (DateTimeOffset?)null, revokedAt = (DateTimeOffset?)null },
        }));
        app.MapPost("/api/keys", () => Results.Json(new
        {
            key = CreatedKey,
            apiKey = new { id = Guid.Empty, name = "gpu-box", prefix = CreatedKey[..12], scopes = new[] { "read", "write" }, source = "api", createdAt = DateTimeOffset.UnixEpoch },
        }, statusCode: 201));
        app.MapDelete("/api/keys/{id:guid}", (Guid id) => Results.NoContent());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new RecordingTracker(app, address, requests);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
