namespace EarlyBert.AppHost.Infrastructure;

/// <summary>Where PostgreSQL and the S3 store come from, and why.</summary>
/// <param name="Database">Source of the tracker's PostgreSQL.</param>
/// <param name="Artifacts">Source of the S3 artifact store.</param>
/// <param name="Reason">One sentence for the log: why this plan was chosen.</param>
public sealed record InfrastructurePlan(ServerSource Database, ServerSource Artifacts, string Reason);

/// <summary>The infrastructure cannot be provided on this machine; the message says what to install or set.</summary>
public sealed class InfrastructureUnavailableException(string message) : Exception(message);
