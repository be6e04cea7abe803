using System.Text.Json;
using EarlyBert.Recipes;
using EarlyBert.Recipes.ModelCards;
using EarlyBert.Tracker.Client.Runs;

namespace EarlyBert.Web.Components.Pages.NewRun;

/// <summary>What is wrong with a draft config, and where: the trainer's own message, the key and the line.</summary>
/// <param name="Message">The parser's message.</param>
/// <param name="Key">The dotted key (<c>training.epochs</c>), when the parser named one.</param>
/// <param name="Line">The 1-based line in the config text, when the error is in it.</param>
/// <param name="InOverrides">Whether the error is in the key=value overrides rather than the config text.</param>
public sealed record ConfigProblem(string Message, string? Key, long? Line, bool InOverrides);

/// <summary>
/// The New run page's work, outside the markup: config text from each source, checking a draft with the trainer's own
/// parser and <c>--set</c> overrides (EarlyBert.Recipes, not a second parser), and the queued run the worker claims.
/// </summary>
public static class RunDraft
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The config text of preset <paramref name="name"/>.</summary>
    public static string FromPreset(string name) => RunConfigJson.ToJson(Presets.Get(name));

    /// <summary>
    /// The config text imported from a Hugging Face Keras model card (or its <c>### Training hyperparameters</c>
    /// section), as <c>earlybert import-card</c> writes it; a card it cannot read throws <see cref="FormatException"/>.
    /// </summary>
    public static string FromCard(string markdown) => RunConfigJson.ToJson(CardConfig.From(ModelCardReader.Parse(markdown)));

    /// <summary>
    /// The config text of a stored run config: re-written in the trainer's form when it parses, otherwise the stored
    /// JSON indented as it is, so the editor shows what the check then reports.
    /// </summary>
    public static string FromStored(JsonElement config)
    {
        var raw = config.GetRawText();
        try
        {
            return RunConfigJson.ToJson(RunConfigJson.Parse(raw));
        }
        catch (RunConfigException)
        {
            return JsonSerializer.Serialize(config, Indented);
        }
    }

    /// <summary>The non-blank lines of the overrides box; lines starting with <c>#</c> are comments.</summary>
    public static IReadOnlyList<string> OverrideLines(string? text) =>
        (text ?? "").Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();

    /// <summary>
    /// Checks <paramref name="json"/> and then <paramref name="overrides"/> exactly as the trainer reads them: the
    /// config to queue (overrides applied), or the first problem.
    /// </summary>
    public static (RunConfig? Config, ConfigProblem? Problem) Check(string? json, IReadOnlyList<string> overrides)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return (null, new ConfigProblem("The config is empty: start from a preset, a model card or a run to clone.", null, null, false));
        }

        RunConfig config;
        try
        {
            config = RunConfigJson.Parse(json);
        }
        catch (RunConfigException exception)
        {
            return (null, new ConfigProblem(exception.Message, exception.Key, exception.Line, false));
        }

        try
        {
            return (RunConfigJson.Apply(config, overrides), null);
        }
        catch (RunConfigException exception)
        {
            // The line is in the document built from the overrides, which the user never sees.
            return (null, new ConfigProblem(exception.Message, exception.Key, null, true));
        }
    }

    /// <summary>
    /// The queued run for <paramref name="config"/>, in the shape the worker queues its quickstart and reads back when
    /// it claims a run: the config's experiment and name, status queued, the config as a JSON object.
    /// </summary>
    public static CreateRun ToQueuedRun(RunConfig config, Guid? parentRunId, string notes) =>
        new(config.Experiment, config.Name, RunStatuses.Queued, JsonSerializer.SerializeToElement(RunConfigJson.ToNode(config)),
            ParentRunId: parentRunId, Notes: notes);
}
