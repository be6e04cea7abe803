using System.Net;
using Microsoft.Extensions.DependencyInjection;
using EarlyBert.Tracker.Client.Authentication;

namespace EarlyBert.AppHost.Tests.Platform;

/// <summary>
/// The platform's keys under the AppHost: the tracker refuses a request without one, the fixture's admin key is
/// accepted, and no key shows on a process's command line or in any resource's log. (That the trainer and the
/// dashboard work with their own keys is what the training and dashboard tests of this collection prove.)
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class ApiKeyTests(PlatformFixture platform)
{
    [Fact]
    public async Task Tracker_refuses_a_request_without_a_key_and_answers_one_with_the_admin_key()
    {
        await platform.EnsureStartedAsync();
        using var anonymous = platform.App.CreateHttpClient("tracker");
        using var withKey = platform.CreateTrackerHttpClient();

        using var refused = await anonymous.GetAsync("/api/runs");
        using var wrongKey = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/runs")
        {
            Headers = { Authorization = new("Bearer", TrackerApiKey.Generate()) },
        });
        using var accepted = await withKey.GetAsync("/api/runs");
        using var health = await anonymous.GetAsync("/health");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task No_key_appears_on_a_command_line_or_in_a_resource_log()
    {
        await platform.EnsureStartedAsync();
        // Let the worker heartbeat and the tracker start serving, so that their logs hold more than start-up.
        using var tracker = platform.CreateTrackerHttpClient();
        (await tracker.GetAsync("/api/workers")).EnsureSuccessStatusCode();
        var secrets = PlatformFixture.Keys.SelectMany(key => new[] { key, key[TrackerApiKey.Prefix.Length..] }).ToList();

        foreach (var pid in platform.ProcessTree)
        {
            var commandLine = PlatformFixture.ReadCommandLine(pid);
            Assert.DoesNotContain(secrets, secret => commandLine.Contains(secret, StringComparison.Ordinal));
        }

        // The arguments the AppHost itself gives each resource, as its model declares them.
        var model = platform.App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources.OfType<IResourceWithArgs>())
        {
            var args = await ArgumentsAsync(resource);
            Assert.DoesNotContain(args, argument => secrets.Any(secret => argument.Contains(secret, StringComparison.Ordinal)));
        }

        var logs = platform.App.Services.GetRequiredService<ResourceLoggerService>();
        var lines = 0;
        foreach (var resource in model.Resources)
        {
            await foreach (var batch in logs.GetAllAsync(resource))
            {
                foreach (var line in batch)
                {
                    lines++;
                    Assert.False(secrets.Any(secret => line.Content.Contains(secret, StringComparison.Ordinal)), $"{resource.Name} logged a key: {line.Content}");
                }
            }
        }
        Assert.True(lines > 0, "no resource log was captured");
    }

    private static async Task<List<string>> ArgumentsAsync(IResourceWithArgs resource)
    {
        var arguments = new List<object>();
        if (resource.TryGetAnnotationsOfType<CommandLineArgsCallbackAnnotation>(out var callbacks))
        {
            var context = new CommandLineArgsCallbackContext(arguments, resource, CancellationToken.None);
            foreach (var callback in callbacks) await callback.Callback(context);
        }
        var values = new List<string>();
        foreach (var argument in arguments)
        {
            values.Add(argument switch
            {
                string text => text,
                IValueProvider provider => await provider.GetValueAsync() ?? "",
                _ => argument.ToString() ?? "",
            });
        }
        return values;
    }
}
