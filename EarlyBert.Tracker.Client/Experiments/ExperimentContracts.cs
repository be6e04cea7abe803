namespace EarlyBert.Tracker.Client.Experiments;

/// <summary>A named group of runs.</summary>
/// <param name="Id">Experiment id.</param>
/// <param name="Name">Unique name.</param>
/// <param name="Description">What the experiment is about.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RunCount">How many runs it has.</param>
public sealed record Experiment(long Id, string Name, string Description, DateTimeOffset CreatedAt, long RunCount);

/// <summary>A new experiment.</summary>
/// <param name="Name">Unique name, 1 to 250 characters.</param>
/// <param name="Description">What the experiment is about.</param>
public sealed record CreateExperiment(string Name, string? Description = null);
