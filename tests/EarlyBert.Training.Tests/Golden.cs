using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace EarlyBert.Training.Tests;

/// <summary>
/// The Hugging Face reference vectors in <c>Golden/</c> (copied from the shared golden folder; see its README).
/// Missing files fail the test with a message that says where they were looked for: golden tests are never skipped.
/// </summary>
internal static class Golden
{
    public static string Directory { get; } = Locate();

    public static string File(string name)
    {
        var path = Path.Combine(Directory, name);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Golden file {path} is missing: it is copied from tests/EarlyBert.Training.Tests/Golden at build time.", path);
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
        // Copied byte for byte from shared/golden into the test project (Golden/) so any clone runs every test.
        var golden = Path.Combine(AppContext.BaseDirectory, "Golden", "tiny-2cls-uncased");
        if (!System.IO.Directory.Exists(golden))
            throw new DirectoryNotFoundException($"Golden reference folder {golden} is missing: it is copied from tests/EarlyBert.Training.Tests/Golden at build time.");
        return golden;
    }
}
