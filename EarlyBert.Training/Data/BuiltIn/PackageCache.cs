using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace EarlyBert.Training.Data.BuiltIn;

/// <summary>Downloads a tarball into a cache folder once, so that no process ever reads a half-written folder.</summary>
/// <remarks>
/// The package is unpacked into a hidden temporary sibling and renamed into place; a folder that exists is
/// complete. A lock file keeps concurrent processes from downloading twice (the lock is released when its
/// holder exits, even by a crash); the rename tolerates losing a race all the same.
/// </remarks>
internal static class PackageCache
{
    /// <summary>Fetches a tarball to a folder and returns the path of the <c>.tgz</c>.</summary>
    public delegate Task<string> Fetch(string destination, CancellationToken cancellationToken);

    /// <summary>
    /// The folder <paramref name="root"/>/<paramref name="folderName"/>, holding the files of the tarball under its
    /// <c>package/</c> prefix that <paramref name="keep"/> accepts (paths relative to that prefix, with '/').
    /// </summary>
    public static async Task<string> EnsureAsync(string root, string folderName, Fetch fetch, Func<string, bool> keep, ILogger logger, CancellationToken cancellationToken)
    {
        var final = Path.Combine(root, folderName);
        if (Directory.Exists(final)) return final;
        Directory.CreateDirectory(root);
        await using var held = await LockAsync(Path.Combine(root, folderName + ".lock"), logger, cancellationToken);
        if (Directory.Exists(final)) return final; // another process finished while we waited
        DeleteLeftovers(root, folderName);

        var temporary = Path.Combine(root, $".{folderName}.tmp-{Guid.NewGuid():N}");
        var download = temporary + "-download";
        try
        {
            logger.LogInformation("Fetching {Folder} into {Root}", folderName, root);
            var tarball = await fetch(download, cancellationToken);
            Directory.CreateDirectory(temporary);
            var files = await ExtractAsync(tarball, temporary, keep, cancellationToken);
            try
            {
                Directory.Move(temporary, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Lost a race with a process that did not take the lock; its folder is as good as ours.
            }
            logger.LogInformation("Cached {Files} files of {Folder}", files, folderName);
            return final;
        }
        finally
        {
            TryDelete(temporary);
            TryDelete(download);
        }
    }

    private static async Task<int> ExtractAsync(string tarball, string target, Func<string, bool> keep, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var reader = new TarReader(gzip);
        var count = 0;
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            const string prefix = "package/";
            if (!entry.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var relative = entry.Name[prefix.Length..];
            if (!keep(relative)) continue;
            if (relative.Split('/').Any(segment => segment is "" or "." or ".."))
                throw new DataException(tarball, null, $"the tarball holds an unsafe path '{entry.Name}'.");
            var path = Path.Combine(target, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await entry.ExtractToFileAsync(path, overwrite: true, cancellationToken);
            count++;
        }
        return count;
    }

    private static async Task<FileStream> LockAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        var waiting = false;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock on Unix, which another process (or stream) cannot get.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!waiting) logger.LogInformation("Waiting for another process that is fetching into {Lock}", path);
                waiting = true;
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    // Only called under the lock: any temporary folder left is from a fetch that died.
    private static void DeleteLeftovers(string root, string folderName)
    {
        foreach (var directory in Directory.EnumerateDirectories(root, $".{folderName}.tmp-*")) TryDelete(directory);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
