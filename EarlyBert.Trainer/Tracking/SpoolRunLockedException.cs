namespace EarlyBert.Trainer.Tracking;

/// <summary>Another process holds the lock of a run's spool folder.</summary>
internal sealed class SpoolRunLockedException(string folder, Exception innerException)
    : IOException($"The spool folder {folder} is in use by another process (it holds the folder's lock file).", innerException);
