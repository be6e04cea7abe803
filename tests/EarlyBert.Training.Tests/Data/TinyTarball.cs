using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace EarlyBert.Training.Tests.Data;

/// <summary>Writes a small <c>.tgz</c> shaped like an npm package, for cache tests that need no registry.</summary>
internal static class TinyTarball
{
    public static string Write(string directory, params (string Name, string Content)[] files)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "package.tgz");
        using var stream = File.Create(path);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, content) in files)
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        return path;
    }
}
