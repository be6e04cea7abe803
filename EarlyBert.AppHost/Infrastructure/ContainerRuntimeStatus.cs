namespace EarlyBert.AppHost.Infrastructure;

/// <summary>What asking the container runtimes found.</summary>
/// <param name="IsHealthy">A runtime answered <c>info</c> in time and reported a server.</param>
/// <param name="Description">Which runtime answered, or why none could be used.</param>
public sealed record ContainerRuntimeStatus(bool IsHealthy, string Description);
