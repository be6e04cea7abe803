namespace EarlyBert.Tracker.Client.Workers;

/// <summary>What a trainer worker says about itself each time it reports that it is alive.</summary>
/// <param name="Host">Machine name the worker runs on.</param>
/// <param name="ProcessId">Operating-system process id, to tell two workers on one host apart.</param>
/// <param name="Version">Version of the trainer build.</param>
/// <param name="Device">Compute device the worker will train on (for example <c>cpu</c> or <c>cuda:0</c>).</param>
public sealed record WorkerHeartbeat(string Host, int ProcessId, string Version, string Device);

/// <summary>A trainer worker as the tracker last heard from it.</summary>
/// <param name="Id">Worker id chosen by the worker (stable for the life of its process).</param>
/// <param name="Host">Machine name the worker runs on.</param>
/// <param name="ProcessId">Operating-system process id.</param>
/// <param name="Version">Version of the trainer build.</param>
/// <param name="Device">Compute device the worker trains on.</param>
/// <param name="FirstSeenAt">When the tracker first heard from this worker.</param>
/// <param name="LastHeartbeatAt">When the tracker last heard from this worker.</param>
public sealed record WorkerInfo(
    string Id,
    string Host,
    int ProcessId,
    string Version,
    string Device,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastHeartbeatAt);
