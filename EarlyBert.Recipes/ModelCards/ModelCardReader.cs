using System.Text.Json.Nodes;

namespace EarlyBert.Recipes.ModelCards;

/// <summary>What a Keras model card says about how its model was trained.</summary>
/// <param name="Optimizer">The optimizer dict, as JSON.</param>
/// <param name="TrainingPrecision">The <c>training_precision</c> line (e.g. <c>float32</c>, <c>mixed_float16</c>).</param>
/// <param name="FrameworkVersions">Framework name to version, in card order.</param>
/// <param name="Results">The results table, if the card has one.</param>
public sealed record ImportedCard(JsonObject Optimizer, string? TrainingPrecision, IReadOnlyList<KeyValuePair<string, string>> FrameworkVersions, IReadOnlyList<EpochResult> Results);

/// <summary>
/// Reads a Hugging Face Keras model card (what transformers writes, and what the trainer's <c>ModelCard</c> writes):
/// <c>### Training hyperparameters</c> (<c>- optimizer: {…Python dict…}</c>, <c>- training_precision: …</c>),
/// <c>### Training results</c> and <c>### Framework versions</c> (<c>- Name Version</c>).
/// </summary>
public static class ModelCardReader
{
    /// <summary>Parses <paramref name="markdown"/>; a card without an optimizer line is an error.</summary>
    public static ImportedCard Parse(string markdown)
    {
        var sections = Sections(markdown);
        if (!sections.TryGetValue("Training hyperparameters", out var hyperparameters))
            throw new FormatException("The card has no '### Training hyperparameters' section.");
        JsonObject? optimizer = null;
        string? precision = null;
        foreach (var (key, value) in Items(hyperparameters))
        {
            if (key == "optimizer")
            {
                optimizer = PythonLiteral.Parse(value) as JsonObject
                    ?? throw new FormatException("The card's optimizer line is not a dictionary.");
            }
            else if (key == "training_precision") precision = value;
        }
        if (optimizer is null)
            throw new FormatException("The card's '### Training hyperparameters' section has no '- optimizer: {…}' line.");

        var versions = new List<KeyValuePair<string, string>>();
        if (sections.TryGetValue("Framework versions", out var frameworks))
        {
            foreach (var line in frameworks)
            {
                var item = line.Trim();
                if (!item.StartsWith("- ", StringComparison.Ordinal)) continue;
                var space = item.LastIndexOf(' ');
                if (space <= 2) continue;
                versions.Add(KeyValuePair.Create(item[2..space].Trim(), item[(space + 1)..].Trim()));
            }
        }

        var results = new List<EpochResult>();
        if (sections.TryGetValue("Training results", out var table))
        {
            foreach (var line in table.Where(l => l.TrimStart().StartsWith('|')))
            {
                var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                if (cells.Length < 3 || !double.TryParse(cells[0], System.Globalization.CultureInfo.InvariantCulture, out var train)) continue;
                double? validation = double.TryParse(cells[1], System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
                if (int.TryParse(cells[^1], System.Globalization.CultureInfo.InvariantCulture, out var epoch))
                    results.Add(new EpochResult(train, validation, epoch));
            }
        }
        return new ImportedCard(optimizer, precision, versions, results);
    }

    private static Dictionary<string, List<string>> Sections(string markdown)
    {
        var sections = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        foreach (var raw in markdown.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.StartsWith('#'))
            {
                var title = raw.TrimStart('#').Trim();
                current = sections.TryAdd(title, []) ? sections[title] : null;
                continue;
            }
            current?.Add(raw);
        }
        return sections;
    }

    private static IEnumerable<(string Key, string Value)> Items(List<string> lines)
    {
        foreach (var line in lines)
        {
            var item = line.Trim();
            if (!item.StartsWith("- ", StringComparison.Ordinal)) continue;
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            yield return (item[2..colon].Trim(), item[(colon + 1)..].Trim());
        }
    }
}
