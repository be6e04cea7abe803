using System.CommandLine;
using System.Text.Json.Nodes;
using EarlyBert.Training.Checkpoints;
using EarlyBert.Training.Precision;
using EarlyBert.Training.Runtime;
using EarlyBert.Training.Tokenization;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyBert.Trainer.Commands;

/// <summary><c>predict --model DIR --input FILE.jsonl [--device D]</c>: logits, probabilities and label per line.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Hugging Face model folder (config.json, model.safetensors, vocab.txt).", Required = true };
        var input = new Option<string>("--input") { Description = "JSON Lines: text (+ text_pair), or input_ids (+ attention_mask, token_type_ids); - for stdin.", Required = true };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var precision = new Option<string>("--precision") { Description = "fp32, tf32 or bf16.", DefaultValueFactory = _ => "fp32" };
        var maxLength = new Option<int?>("--max-length") { Description = "Truncate text to this many tokens (default: the model's max positions)." };
        var command = new Command("predict", "Classifies each input line with a BertForSequenceClassification folder.")
        {
            model, input, device, precision, maxLength,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = CommandLogging.Create();
            var logger = logging.CreateLogger("predict");
            var target = DeviceSelector.Resolve(parse.GetValue(device)!);
            logger.LogInformation("Device: {Device}", DeviceSelector.Describe(target));
            var directory = parse.GetValue(model)!;
            using var classifier = HfCheckpoint.LoadForSequenceClassification(directory, logger);
            classifier.to(target);
            classifier.eval();
            PrecisionPolicy.Apply(classifier, PrecisionPolicy.Parse(parse.GetValue(precision)!), target, logger);
            var config = classifier.Config;
            var limit = parse.GetValue(maxLength) ?? config.MaxPositionEmbeddings;
            BertWordPieceTokenizer? tokenizer = null;

            await foreach (var (number, line) in JsonLines.ReadAsync(parse.GetValue(input)!, cancellationToken))
            {
                TokenizedInput encoded;
                if (JsonLines.Ints(line["input_ids"]) is { } ids)
                {
                    encoded = new TokenizedInput(ids,
                        JsonLines.Ints(line["token_type_ids"]) ?? new int[ids.Length],
                        JsonLines.Ints(line["attention_mask"]) ?? Enumerable.Repeat(1, ids.Length).ToArray());
                    if (encoded.TokenTypeIds.Count != ids.Length || encoded.AttentionMask.Count != ids.Length)
                        throw new FormatException($"line {number}: input_ids, token_type_ids and attention_mask differ in length.");
                }
                else if (line["text"] is { } text)
                {
                    tokenizer ??= BertWordPieceTokenizer.FromModelDirectory(directory);
                    encoded = tokenizer.Encode(text.GetValue<string>(), line["text_pair"]?.GetValue<string>(), limit);
                }
                else throw new FormatException($"line {number}: needs text or input_ids.");

                using var scope = NewDisposeScope();
                using var _ = no_grad();
                long[] shape = [1, encoded.Length];
                Tensor Batch(IReadOnlyList<int> values) => tensor(values.Select(v => (long)v).ToArray(), shape).to(target);
                var logits = classifier.call(Batch(encoded.InputIds), Batch(encoded.AttentionMask), Batch(encoded.TokenTypeIds)).to(ScalarType.Float32).cpu()[0];
                var values = logits.data<float>().ToArray();
                var result = new JsonObject { ["logits"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()) };
                if (config.NumLabels > 1)
                {
                    var probabilities = logits.softmax(0).data<float>().ToArray();
                    result["probabilities"] = new JsonArray(probabilities.Select(v => (JsonNode)v).ToArray());
                    var best = Array.IndexOf(probabilities, probabilities.Max());
                    result["label"] = config.Id2Label.TryGetValue(best, out var label) ? label : best.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await Console.Out.WriteLineAsync(result.ToJsonString());
            }
            return 0;
        });
        return command;
    }
}
