using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyBert.Tracker.Client;
using EarlyBert.Tracker.Client.Authentication;
using EarlyBert.Trainer.Access;
using EarlyBert.Trainer.Commands;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Keys;

/// <summary>
/// <c>keys create --name N --scopes read,write | keys list | keys revoke ID</c>, each with <c>[--tracker URL] [--api-key KEY]</c>:
/// the tracker's API keys, managed with an admin key. Data goes to standard output (JSON lines); a new key is
/// printed once, alone on its line.
/// </summary>
internal static class KeysCommand
{
    // Lines for people and scripts alike: a time's "+00:00" as written, not as \u002B.
    private static readonly JsonSerializerOptions Output = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("keys", "Creates, lists and revokes the tracker's API keys (needs an admin key).");
        command.Subcommands.Add(CreateCommand());
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(RevokeCommand());
        return command;
    }

    private static Command CreateCommand()
    {
        var name = new Option<string>("--name") { Description = "What the key is for, e.g. gpu-box-3.", Required = true };
        var scopes = new Option<string>("--scopes") { Description = "Comma-separated scopes: read, write, admin (each includes those before it).", Required = true };
        var (trackerUrl, apiKey) = Connection();
        var command = new Command("create", "Creates a key and prints it once (then only its prefix is ever shown).") { name, scopes, trackerUrl, apiKey };
        command.Validators.Add(result =>
        {
            if (result.GetValue(name) is { } given && string.IsNullOrWhiteSpace(given)) result.AddError("--name must not be empty.");
            if (result.GetValue(scopes) is { } list && ParseScopes(list) is { } parsed && (parsed.Count == 0 || parsed.Except(ApiKeyScopes.All).Any()))
                result.AddError($"--scopes takes a comma-separated list of {string.Join(", ", ApiKeyScopes.All)}; got '{list}'.");
        });
        command.SetAction((parse, cancellationToken) => WithTrackerAsync(parse.GetValue(trackerUrl), parse.GetValue(apiKey), async keys =>
        {
            var created = await keys.CreateApiKeyAsync(new CreateApiKey(parse.GetValue(name)!.Trim(), ParseScopes(parse.GetValue(scopes)!)), cancellationToken);
            await Console.Error.WriteLineAsync("The new key follows on its own line. It is shown this once: store it now (the tracker keeps only its hash).");
            await Console.Out.WriteLineAsync(Line(created.ApiKey).ToJsonString(Output));
            await Console.Out.WriteLineAsync(created.Key);
        }));
        return command;
    }

    private static Command ListCommand()
    {
        var (trackerUrl, apiKey) = Connection();
        var command = new Command("list", "Lists the keys (prefix, scopes, source, created, last used, revoked), one JSON line each.") { trackerUrl, apiKey };
        command.SetAction((parse, cancellationToken) => WithTrackerAsync(parse.GetValue(trackerUrl), parse.GetValue(apiKey), async keys =>
        {
            foreach (var key in await keys.ListApiKeysAsync(cancellationToken))
                await Console.Out.WriteLineAsync(Line(key).ToJsonString(Output));
        }));
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<Guid>("id") { Description = "The key's id (from keys list)." };
        var (trackerUrl, apiKey) = Connection();
        var command = new Command("revoke", "Revokes a key: the tracker refuses it from then on.") { id, trackerUrl, apiKey };
        command.SetAction((parse, cancellationToken) => WithTrackerAsync(parse.GetValue(trackerUrl), parse.GetValue(apiKey), async keys =>
        {
            await keys.RevokeApiKeyAsync(parse.GetValue(id), cancellationToken);
            await Console.Out.WriteLineAsync(new JsonObject { ["id"] = parse.GetValue(id).ToString(), ["revoked"] = true }.ToJsonString());
        }));
        return command;
    }

    private static (Option<string?> TrackerUrl, Option<string?> ApiKey) Connection() =>
        (new Option<string?>("--tracker") { Description = $"Tracker base address (default {TrackerAccess.DefaultAddress})." }, TrackerAccess.ApiKeyOption());

    private static List<string> ParseScopes(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).Distinct()];

    private static async Task<int> WithTrackerAsync(string? trackerUrl, string? apiKey, Func<TrackerClient, Task> action)
    {
        using var logging = CommandLogging.Create();
        var logger = logging.CreateLogger("keys");
        try
        {
            using var http = TrackerAccess.CreateHttp(trackerUrl, apiKey, TimeSpan.FromMinutes(1));
            await action(new TrackerClient(http));
            return 0;
        }
        catch (Exception exception) when (exception is TrackerApiException or HttpRequestException or InvalidDataException)
        {
            logger.LogError("{Message}", TrackerAccess.Describe(exception));
            return 1;
        }
    }

    private static JsonObject Line(ApiKeyInfo key) => new()
    {
        ["id"] = key.Id.ToString(),
        ["name"] = key.Name,
        ["prefix"] = key.Prefix,
        ["scopes"] = new JsonArray([.. key.Scopes.Select(s => JsonValue.Create(s))]),
        ["source"] = key.Source,
        ["created_at"] = key.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
        ["last_used_at"] = key.LastUsedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["revoked_at"] = key.RevokedAt?.ToString("O", CultureInfo.InvariantCulture),
    };
}
