using System.CommandLine;
using System.Text.Json.Nodes;
using EarlyBert.Tracker.Client;
using EarlyBert.Trainer.Access;
using EarlyBert.Trainer.Reproduction;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary>
/// <c>export RUN_ID --out FILE [--with-data] [--tracker URL]</c>: writes a tracker run as one self-contained bundle
/// (<see cref="RunBundle"/>) that <c>reproduce --bundle FILE</c> reproduces on another installation.
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var runId = new Argument<Guid>("run-id") { Description = "The tracker run to export." };
        var output = new Option<string>("--out") { Description = "The bundle file to write (a zip).", Required = true };
        var withData = new Option<bool>("--with-data") { Description = "Pack the data too: the config's files, or the built-in data set from the data cache." };
        var trackerUrl = new Option<string?>("--tracker") { Description = "Tracker base address (default http://localhost:5180)." };
        var apiKey = TrackerAccess.ApiKeyOption();
        var command = new Command("export", "Writes a run (config, metadata and versions, hashes, model card, every logged metric) as one file.")
        {
            runId, output, withData, trackerUrl, apiKey,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("export");
            var file = Path.GetFullPath(parse.GetValue(output)!);
            try
            {
                var tracker = TrackerAccess.CreateClient(parse.GetValue(trackerUrl), parse.GetValue(apiKey), out var http);
                using var _ = http;
                await RunBundle.ExportAsync(tracker, parse.GetValue(runId), file, parse.GetValue(withData), logger, cancellationToken);
            }
            catch (Exception exception) when (exception is TrackerApiException or FileNotFoundException or FormatException or IOException)
            {
                logger.LogError("{Message}", TrackerAccess.Describe(exception));
                return 1;
            }
            await Console.Out.WriteLineAsync(new JsonObject { ["run_id"] = parse.GetValue(runId).ToString(), ["bundle"] = file, ["bytes"] = new FileInfo(file).Length }.ToJsonString());
            return 0;
        });
        return command;
    }
}
