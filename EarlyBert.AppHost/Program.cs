using EarlyBert.AppHost.Infrastructure;
using EarlyBert.AppHost.Security;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: PostgreSQL and an S3 store, from connection strings, containers or local processes.
EarlyBertInfrastructure infrastructure;
try
{
    infrastructure = builder.AddEarlyBertInfrastructure();
}
catch (InfrastructureUnavailableException exception)
{
    Console.Error.WriteLine($"EarlyBert cannot start: {exception.Message}");
    return 1;
}

Console.WriteLine($"Infrastructure: database {infrastructure.Plan.Database}, artifacts {infrastructure.Plan.Artifacts}. {infrastructure.Plan.Reason}");

var database = infrastructure.Database;
var artifacts = infrastructure.Artifacts;

// The platform's API keys: secret parameters generated once, handed to each process through its environment.
var keys = builder.AddPlatformKeys();

// The tracker: system of record for runs, metrics and artifacts.
var tracker = builder.AddProject<Projects.EarlyBert_Tracker>("tracker")
    .WithReference(database, connectionName: "tracker").WaitFor(database)
    .WithReference(artifacts).WaitFor(artifacts)
    .WithReplicas(builder.Configuration.GetValue("Tracker:Replicas", 1)) // behind Aspire's proxy; see "Running beyond one machine"
    .WithHttpHealthCheck("/health")
    .WithPlatformKeys(keys);
// Crash detection settings (Tracker:HeartbeatTimeout, Tracker:CrashSweepInterval) pass through when given.
foreach (var setting in new[] { "HeartbeatTimeout", "CrashSweepInterval" })
{
    if (builder.Configuration[$"Tracker:{setting}"] is { } value)
    {
        tracker.WithEnvironment($"Tracker__{setting}", value);
    }
}

// The trainer workers: claim queued runs, fine-tune, and report to the tracker (Trainer:Workers, default 1).
// On a tracker without any run the worker queues the quickstart preset (Trainer:QueueQuickstart=false turns that off).
var workers = builder.Configuration.GetValue("Trainer:Workers", 1);
// The trainer has no launch profile (dotnet run of its CLI must print only data on standard output), so its
// health endpoint is declared here.
var trainer = builder.AddProject<Projects.EarlyBert_Trainer>("trainer")
    .WithArgs("worker")
    .WithHttpEndpoint(port: 5190, name: "http")
    .WithReplicas(workers)
    .WithEnvironment("Worker__QueueQuickstartWhenEmpty", builder.Configuration.GetValue("Trainer:QueueQuickstart", true) ? "true" : "false")
    .WithReference(tracker).WaitFor(tracker).WithApiKey(keys.Trainer)
    .WithHttpHealthCheck("/health");
// Runs' checkpoints and the spool of unsent records live in the state folder, beside the platform's data.
var state = InfrastructureOptions.From(builder.Configuration, Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."))).StateDirectory!;
trainer.WithEnvironment("Worker__WorkDirectory", builder.Configuration["Trainer:WorkDirectory"] ?? Path.Combine(state, "runs"))
    .WithEnvironment("Spool__Directory", Path.Combine(state, "spool"));
// Worker settings (Trainer:RunHeartbeatInterval, Trainer:PollInterval) pass through when given.
foreach (var setting in new[] { "RunHeartbeatInterval", "PollInterval" })
{
    if (builder.Configuration[$"Trainer:{setting}"] is { } value)
    {
        trainer.WithEnvironment($"Worker__{setting}", value);
    }
}

// The dashboard: compare and reproduce runs.
builder.AddProject<Projects.EarlyBert_Web>("web")
    .WithReference(tracker).WaitFor(tracker).WithApiKey(keys.Web)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
return 0;
