using EarlyBert.AppHost.Infrastructure;

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

// The tracker: system of record for runs, metrics and artifacts.
var tracker = builder.AddProject<Projects.EarlyBert_Tracker>("tracker")
    .WithReference(database, connectionName: "tracker").WaitFor(database)
    .WithReference(artifacts).WaitFor(artifacts)
    .WithHttpHealthCheck("/health");

// The trainer workers: claim queued runs, fine-tune, and report to the tracker (Trainer:Workers, default 1).
// On a tracker without any run the worker queues the quickstart preset (Trainer:QueueQuickstart=false turns that off).
var workers = builder.Configuration.GetValue("Trainer:Workers", 1);
builder.AddProject<Projects.EarlyBert_Trainer>("trainer")
    .WithArgs("worker")
    .WithReplicas(workers)
    .WithEnvironment("Worker__QueueQuickstartWhenEmpty", builder.Configuration.GetValue("Trainer:QueueQuickstart", true) ? "true" : "false")
    .WithReference(tracker).WaitFor(tracker)
    .WithHttpHealthCheck("/health");

// The dashboard: compare and reproduce runs.
builder.AddProject<Projects.EarlyBert_Web>("web")
    .WithReference(tracker).WaitFor(tracker)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.Build().Run();
return 0;
