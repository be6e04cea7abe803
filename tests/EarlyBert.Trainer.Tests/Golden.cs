using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace EarlyBert.Trainer.Tests;

/// <summary>
/// The Hugging Face reference vectors in <c>../shared/golden/</c> beside the repository (see its README). Missing
/// files fail the test with a message that says where they were looked for: golden tests are never skipped.
/// </summary>
internal static class Golden
{
    public static string Directory { get; } = Locate();

    public static string File(string name)
    {
        var path = Path.Combine(Directory, name);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Golden file {path} is missing: shared/golden must sit beside the repository (../shared/golden).", path);
        return path;
    }

    public static JsonObject Json(string name) => JsonNode.Parse(System.IO.File.ReadAllText(File(name)))!.AsObject();

    public static long[][] IntMatrix(JsonNode node) =>
        node.AsArray().Select(row => row!.AsArray().Select(v => v!.GetValue<long>()).ToArray()).ToArray();

    public static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    public static Tensor LongTensor(long[][] rows) =>
        tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], ScalarType.Int64);

    private static string Locate()
    {
        // Walk up from the test binaries to the repository root (the folder with EarlyBert.sln).
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!System.IO.File.Exists(Path.Combine(folder.FullName, "EarlyBert.sln"))) continue;
            var golden = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "golden", "tiny-2cls-uncased"));
            if (!System.IO.Directory.Exists(golden))
                throw new DirectoryNotFoundException($"Golden reference folder {golden} is missing: the tests need ../shared/golden next to the repository at {folder.FullName}.");
            return golden;
        }
        throw new DirectoryNotFoundException($"No EarlyBert.sln above {AppContext.BaseDirectory}: cannot locate ../shared/golden.");
    }
}
