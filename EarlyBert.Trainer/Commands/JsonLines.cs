using System.Text.Json.Nodes;

namespace EarlyBert.Trainer.Commands;

/// <summary>Reads JSON Lines input (one object a line; blank lines skipped), <c>-</c> meaning standard input.</summary>
internal static class JsonLines
{
    public static async IAsyncEnumerable<(int Line, JsonObject Value)> ReadAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var value = JsonNode.Parse(line) as JsonObject ?? throw new FormatException($"{path}:{number}: not a JSON object.");
            yield return (number, value);
        }
    }

    public static int[]? Ints(JsonNode? node) => node?.AsArray().Select(v => v!.GetValue<int>()).ToArray();
}
