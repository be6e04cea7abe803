using System.CommandLine;
using EarlyBert.Recipes;
using EarlyBert.Recipes.ModelCards;

namespace EarlyBert.Trainer.Commands;

/// <summary><c>import-card CARD.md</c>: prints a run config (JSON) made from a Hugging Face Keras model card.</summary>
internal static class ImportCardCommand
{
    public static Command Create()
    {
        var card = new Argument<string>("card") { Description = "README.md of a Hugging Face model (Keras card format); - for stdin." };
        var command = new Command("import-card", "Prints a run config from a model card's training hyperparameters and framework versions.") { card };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(card)!;
            string text;
            if (path == "-") text = await Console.In.ReadToEndAsync(cancellationToken);
            else if (File.Exists(path)) text = await File.ReadAllTextAsync(path, cancellationToken);
            else
            {
                await Console.Error.WriteLineAsync($"Model card {path} does not exist.");
                return 1;
            }
            try
            {
                var config = CardConfig.From(ModelCardReader.Parse(text));
                await Console.Out.WriteLineAsync(RunConfigJson.ToJson(config));
                return 0;
            }
            catch (FormatException exception)
            {
                await Console.Error.WriteLineAsync($"{path}: {exception.Message}");
                return 1;
            }
        });
        return command;
    }
}
