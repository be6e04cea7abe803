namespace EarlyBert.Tracker.Http;

/// <summary>
/// Endpoint metadata: the largest JSON request body the endpoint takes, enforced by <see cref="InputGuard"/> before
/// the body is read (413 above it). Endpoints without it take <see cref="InputGuard.DefaultJsonBodyBytes"/>.
/// </summary>
/// <param name="Bytes">Most bytes.</param>
public sealed record JsonBodyLimit(long Bytes);
