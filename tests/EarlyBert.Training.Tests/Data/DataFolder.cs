using System.Text;
using EarlyBert.Recipes;
using EarlyBert.Training.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace EarlyBert.Training.Tests.Data;

/// <summary>A temporary folder of data files for one test, deleted afterwards.</summary>
internal sealed class DataFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("earlybert-data-").FullName;

    /// <summary>Writes UTF-8 text (no BOM) as it is, line ends included.</summary>
    public string Write(string name, string content) => WriteBytes(name, new UTF8Encoding(false).GetBytes(content));

    public string WriteBytes(string name, byte[] content)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Loads with the built-in cache pointed into this folder, so no test touches the user's cache.</summary>
    public Task<LoadedDataset> LoadAsync(DataConfig config, IReadOnlyDictionary<string, int>? label2id = null, int vocabSize = 100) =>
        DatasetLoader.LoadAsync(config, label2id, vocabSize, NullLogger.Instance, System.IO.Path.Combine(Path, "cache"), CancellationToken.None);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
