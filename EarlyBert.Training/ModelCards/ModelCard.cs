using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Training.Training;

namespace EarlyBert.Training.ModelCards;

/// <summary>
/// A <c>README.md</c> model card in the format transformers writes for Keras models (the format of the card this
/// project started from): <c>### Training hyperparameters</c> with the optimizer dict and <c>training_precision</c>,
/// <c>### Training results</c> (Train Loss, Validation Loss, Epoch), <c>### Framework versions</c>.
/// <see cref="ModelCardReader"/> reads it back.
/// </summary>
public sealed record ModelCard
{
    /// <summary>Heading of the card.</summary>
    public required string Title { get; init; }
    /// <summary>The base model.</summary>
    public required string BaseModel { get; init; }
    /// <summary>The data set.</summary>
    public required string Dataset { get; init; }
    /// <summary>The optimizer in Keras <c>get_config()</c> form.</summary>
    public required JsonObject Optimizer { get; init; }
    /// <summary>Training precision.</summary>
    public required string TrainingPrecision { get; init; }
    /// <summary>Rows of the results table.</summary>
    public IReadOnlyList<EpochResult> Results { get; init; } = [];
    /// <summary>The last evaluation.</summary>
    public EvaluationResult? FinalEvaluation { get; init; }
    /// <summary>Framework versions (name to version), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> FrameworkVersions { get; init; } = [];
    /// <summary>Versions of the run this one reproduces, if any.</summary>
    public IReadOnlyDictionary<string, string> ReferenceVersions { get; init; } = new Dictionary<string, string>();
    /// <summary>When the model is an EarlyBERT ticket: its ratios, draw and size (a paragraph and the <c>earlybert</c> tag).</summary>
    public TicketCard? Ticket { get; init; }

    /// <summary>EarlyBert, TorchSharp, libtorch, .NET and Microsoft.ML.Tokenizers of this process.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FrameworkVersionsOfThisProcess()
    {
        var versions = RunEnvironment.Versions();
        return
        [
            KeyValuePair.Create("EarlyBert", versions["versions.earlybert"].Split('+')[0]),
            KeyValuePair.Create("TorchSharp", versions["versions.torchsharp"]),
            KeyValuePair.Create("libtorch", versions["versions.libtorch"]),
            KeyValuePair.Create(".NET", Environment.Version.ToString()),
            KeyValuePair.Create("Microsoft.ML.Tokenizers", versions["versions.tokenizers"]),
        ];
    }

    /// <summary>The card as Markdown.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"""
            ---
            tags:
            - generated_from_earlybert{(Ticket is null ? "" : "\n- earlybert-ticket")}
            ---

            # {Title}

            This model is a fine-tuned version of {BaseModel} on the {Dataset} dataset.

            """);
        if (Ticket is not null) text.Append('\n').Append(Ticket.ToMarkdown()).Append('\n');
        if (FinalEvaluation is { } evaluation)
        {
            text.Append(CultureInfo.InvariantCulture, $"""
                It achieves the following results on the evaluation set:
                - Validation Loss: {evaluation.Loss:0.0000}
                - Accuracy: {evaluation.Accuracy:0.0000}
                - F1 (macro): {evaluation.F1Macro:0.0000}

                """);
        }
        text.Append(CultureInfo.InvariantCulture, $"""

            ## Training procedure

            ### Training hyperparameters

            The following hyperparameters were used during training:
            - optimizer: {PythonRepr.Write(Optimizer)}
            - training_precision: {TrainingPrecision}

            ### Training results

            | Train Loss | Validation Loss | Epoch |
            |:----------:|:---------------:|:-----:|

            """);
        foreach (var row in Results)
        {
            var validation = row.ValidationLoss is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
            text.Append(CultureInfo.InvariantCulture, $"| {row.TrainLoss:0.0000} | {validation} | {row.Epoch} |\n");
        }
        text.Append("\n\n### Framework versions\n\n");
        foreach (var (name, version) in FrameworkVersions) text.Append(CultureInfo.InvariantCulture, $"- {name} {version}\n");
        if (ReferenceVersions.Count > 0)
        {
            text.Append("\n### Reference versions\n\nThe recipe this run follows was first trained with:\n");
            foreach (var (name, version) in ReferenceVersions) text.Append(CultureInfo.InvariantCulture, $"- {name} {version}\n");
        }
        return text.ToString();
    }
}
