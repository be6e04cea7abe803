using System.Runtime.InteropServices;

namespace EarlyBert.Trainer.Tracking;

/// <summary>
/// Flushes a directory's entries to disk (fsync on the directory), so that a file just created or renamed into it
/// survives a power cut. .NET cannot open a directory as a file, so this calls the C library's <c>open</c>,
/// <c>fsync</c> and <c>close</c>, found in the process's own symbols (no library name to guess across glibc, musl
/// and macOS). Windows needs nothing: NTFS journals its metadata.
/// </summary>
internal static class DirectorySync
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int OpenFunction([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, SetLastError = true)]
    private delegate int DescriptorFunction(int descriptor);

    private static readonly Lazy<(OpenFunction Open, DescriptorFunction Fsync, DescriptorFunction Close)?> Functions = new(Load);

    /// <summary>Flushes <paramref name="directory"/>'s entries; throws <see cref="IOException"/> when fsync fails.</summary>
    public static void Flush(string directory)
    {
        if (Functions.Value is not { } functions)
        {
            return;
        }

        // O_RDONLY is 0 everywhere; a descriptor opened so may be fsynced on Linux and macOS alike.
        var descriptor = functions.Open(directory, 0);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open the folder {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (functions.Fsync(descriptor) != 0)
            {
                throw new IOException($"Could not flush the folder {directory} to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            functions.Close(descriptor);
        }
    }

    private static (OpenFunction, DescriptorFunction, DescriptorFunction)? Load()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var process = NativeLibrary.GetMainProgramHandle();
        return NativeLibrary.TryGetExport(process, "open", out var open)
            && NativeLibrary.TryGetExport(process, "fsync", out var fsync)
            && NativeLibrary.TryGetExport(process, "close", out var close)
                ? (Marshal.GetDelegateForFunctionPointer<OpenFunction>(open),
                    Marshal.GetDelegateForFunctionPointer<DescriptorFunction>(fsync),
                    Marshal.GetDelegateForFunctionPointer<DescriptorFunction>(close))
                : null;
    }
}
