using System.CommandLine;
using EarlyBert.Trainer.Access;
using EarlyBert.Trainer.Commands;
using EarlyBert.Trainer.Keys;
using EarlyBert.Trainer.Worker;

// The worker is one command among others: an unknown command or a typo gets usage and exit code 2, never a worker.
var root = new RootCommand("earlybert: fine-tunes BERT classifiers and records every run in the EarlyBert tracker.");
var worker = new Command("worker", "Runs as the platform's trainer worker: claims queued runs from the tracker and trains them.")
{
    // Host configuration such as --urls or --Worker:Device=cpu passes through to the worker.
    TreatUnmatchedTokensAsErrors = false,
};
// `worker --tracker URL` is the short form of `--Worker:TrackerUrl=URL`, and `worker --api-key KEY` of
// `--Worker:ApiKey=KEY`, for a worker on another machine (EARLYBERT_API_KEY keeps the key out of ps).
worker.SetAction((_, cancellationToken) => WorkerHost.RunAsync(WorkerHost.HostArguments(args.Skip(1).ToArray()), cancellationToken));
root.Subcommands.Add(worker);
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ImportCardCommand.Create());
root.Subcommands.Add(UploadCommand.Create());
root.Subcommands.Add(ReproduceCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(TokenizeCommand.Create());
root.Subcommands.Add(ImportMiniLmCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(BenchTrackingCommand.Create());
root.Subcommands.Add(BenchEarlyBertCommand.Create());
root.Subcommands.Add(KeysCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || parsed.CommandResult.Command == root && !args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
    var usage = new StringWriter();
    var help = root.Parse(parsed.CommandResult.Command == root ? ["--help"] : [.. args.TakeWhile(a => !a.StartsWith('-')), "--help"]);
    help.InvocationConfiguration.Output = usage;
    await help.InvokeAsync();
    Console.Error.Write(usage.ToString());
    return 2;
}
try
{
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception exception) when (TrackerAccess.IsRefusal(exception))
{
    // A refused key is the user's to fix, not a crash: one line saying what is missing, no stack trace.
    Console.Error.WriteLine($"earlybert: {TrackerAccess.Describe(exception)}");
    return 1;
}
catch (Exception exception)
{
    // What System.CommandLine's own handler does with any other failure (a cancellation is not printed).
    if (exception is not OperationCanceledException) Console.Error.WriteLine(exception);
    return 1;
}
