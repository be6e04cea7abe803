namespace EarlyBert.Trainer.Tracking;

/// <summary>Closing a run's folder: on disposal (pending entries stay for the next process) or once drained.</summary>
internal sealed partial class SpoolRun
{
    /// <summary>Closes the folder's files and releases its lock; a fully drained folder is deleted.</summary>
    public void Dispose()
    {
        bool drained;
        lock (gate)
        {
            if (filesClosed)
            {
                return;
            }

            Closed = true;
            drained = nextSequence - 1 <= acked;
            foreach (var (_, waiter) in waiters)
            {
                waiter.TrySetException(new ObjectDisposedException(nameof(RunSpool), $"The spool of run {RunId} was closed before its entries were sent."));
            }

            waiters.Clear();
        }

        if (!drained)
        {
            try
            {
                // What was sent must not be sent again by the next process.
                FlushAcknowledged();
            }
            catch (IOException exception)
            {
                logger.LogWarning("Spool of run {RunId}: could not record the last acknowledged entry ({Reason}); the next process will send a few entries again",
                    RunId, exception.Message);
            }
        }

        CloseFiles(deleteFolder: drained);
    }

    /// <summary>
    /// Closes the run when nothing is pending and no append is under way, deleting its folder (all but
    /// <c>rejected.jsonl</c>, <c>rejected/</c> and <c>corrupt/</c>, which are kept for a person); false otherwise.
    /// </summary>
    public bool TryRelease()
    {
        lock (gate)
        {
            if (Closed || appendsInProgress > 0 || nextSequence - 1 > acked)
            {
                return false;
            }

            Closed = true;
        }

        CloseFiles(deleteFolder: true);
        return true;
    }

    private void CloseFiles(bool deleteFolder)
    {
        lock (gate)
        {
            if (filesClosed)
            {
                return;
            }

            filesClosed = true;
            writer?.Dispose();
            writer = null;
            readHandle?.Dispose();
            readHandle = null;
        }

        var lockPath = Path.Combine(Folder, LockFile);
        var removable = false;
        try
        {
            if (deleteFolder)
            {
                DeleteDrainedFolder();
                // Only when nothing was kept for a person is the folder removed: then all that is left is the lock.
                removable = Directory.EnumerateFileSystemEntries(Folder).All(path => Path.GetFileName(path) == LockFile);
                if (removable && !OperatingSystem.IsWindows())
                {
                    // Unlinked while still held, so that no other process can take this lock file between close and delete.
                    TryDelete(lockPath);
                }
            }
        }
        finally
        {
            lockStream.Dispose();
        }

        if (removable)
        {
            try
            {
                File.Delete(lockPath);
                Directory.Delete(Folder);
            }
            catch (IOException)
            {
                // Another process opened the folder meanwhile: it is theirs now.
            }
        }
    }

    private void DeleteDrainedFolder()
    {
        lock (gate)
        {
            foreach (var segment in segments)
            {
                TryDelete(segment.Path);
                capacity.Release(segment.Length);
            }

            segments.Clear();
        }

        foreach (var stored in storedBytes.Keys.ToList())
        {
            ForgetStoredFile(stored, delete: true);
        }

        TryDelete(Path.Combine(Folder, AckedFile));
        TryDelete(Path.Combine(Folder, AckedTemp));
        var artifacts = Path.Combine(Folder, ArtifactsFolder);
        try
        {
            if (Directory.Exists(artifacts) && !Directory.EnumerateFileSystemEntries(artifacts).Any())
            {
                Directory.Delete(artifacts);
            }
        }
        catch (IOException exception)
        {
            logger.LogWarning("Spool of run {RunId}: could not delete {Folder}: {Reason}", RunId, artifacts, exception.Message);
        }
    }
}
