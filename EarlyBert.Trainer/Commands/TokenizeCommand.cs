using System.CommandLine;
using System.Text.Json.Nodes;
using EarlyBert.Training.Tokenization;

namespace EarlyBert.Trainer.Commands;

/// <summary><c>tokenize --vocab FILE [--cased] [--max-length N [--pad]] --input FILE.jsonl</c></summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var vocab = new Option<string>("--vocab") { Description = "WordPiece vocabulary (vocab.txt).", Required = true };
        var cased = new Option<bool>("--cased") { Description = "Keep case and accents (cased vocabularies)." };
        var maxLength = new Option<int?>("--max-length") { Description = "Truncate (longest_first) to this many tokens." };
        var pad = new Option<bool>("--pad") { Description = "Pad every sequence to --max-length." };
        var input = new Option<string>("--input") { Description = "JSON Lines with text (and optional text_pair); - for stdin.", Required = true };
        var command = new Command("tokenize", "Encodes text as Hugging Face's fast BERT tokenizer does: one JSON line per input line.")
        {
            vocab, cased, maxLength, pad, input,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var tokenizer = BertWordPieceTokenizer.FromVocabulary(parse.GetValue(vocab)!, lowercase: !parse.GetValue(cased));
            var limit = parse.GetValue(maxLength);
            if (parse.GetValue(pad) && limit is null)
                throw new ArgumentException("--pad needs --max-length.");
            await foreach (var (_, line) in JsonLines.ReadAsync(parse.GetValue(input)!, cancellationToken))
            {
                var encoded = tokenizer.Encode(line["text"]?.GetValue<string>() ?? "", line["text_pair"]?.GetValue<string>(), limit, parse.GetValue(pad));
                var result = new JsonObject
                {
                    ["input_ids"] = new JsonArray(encoded.InputIds.Select(v => (JsonNode)v).ToArray()),
                    ["token_type_ids"] = new JsonArray(encoded.TokenTypeIds.Select(v => (JsonNode)v).ToArray()),
                    ["attention_mask"] = new JsonArray(encoded.AttentionMask.Select(v => (JsonNode)v).ToArray()),
                };
                await Console.Out.WriteLineAsync(result.ToJsonString());
            }
            return 0;
        });
        return command;
    }
}
