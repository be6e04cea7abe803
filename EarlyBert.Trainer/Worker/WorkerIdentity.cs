namespace EarlyBert.Trainer.Worker;

/// <summary>The id this worker reports and claims runs under: configured, or host name and process id.</summary>
internal sealed record WorkerIdentity(string Id);
