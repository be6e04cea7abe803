using System.CommandLine;
using EarlyBert.Trainer.Commands;
using EarlyBert.Trainer.Worker;

// Without a command the trainer runs as the platform's worker; commands are tools for users and for checks.
var root = new RootCommand("EarlyBert trainer: fine-tunes BERT models and reports every run to the tracker.");
// Host configuration such as --urls or --Worker:Device=cpu passes through to the worker.
root.TreatUnmatchedTokensAsErrors = false;
root.SetAction((_, cancellationToken) => WorkerHost.RunAsync(args, cancellationToken));
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(ImportMiniLmCommand.Create());
root.Subcommands.Add(BenchCommand.Create());

return await root.Parse(args).InvokeAsync();
