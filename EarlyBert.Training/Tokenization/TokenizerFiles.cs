using System.Text.Json;
using System.Text.Json.Nodes;

namespace EarlyBert.Training.Tokenization;

/// <summary>The tokenizer files of a Hugging Face model folder (<c>vocab.txt</c>, <c>tokenizer_config.json</c>).</summary>
public static class TokenizerFiles
{
    /// <summary>
    /// Writes <c>vocab.txt</c> (LF line ends) and a <c>tokenizer_config.json</c> / <c>special_tokens_map.json</c>
    /// that transformers' <c>AutoTokenizer</c> reads as a BERT WordPiece tokenizer.
    /// </summary>
    public static void Write(string directory, string vocabularyFile, bool lowercase, int modelMaxLength)
    {
        var vocabulary = File.ReadAllText(vocabularyFile).Replace("\r", "", StringComparison.Ordinal);
        var target = Path.Combine(directory, "vocab.txt");
        if (!string.Equals(Path.GetFullPath(vocabularyFile), Path.GetFullPath(target), StringComparison.Ordinal))
            File.WriteAllText(target, vocabulary);
        var special = new JsonObject
        {
            ["cls_token"] = "[CLS]", ["mask_token"] = "[MASK]", ["pad_token"] = "[PAD]", ["sep_token"] = "[SEP]", ["unk_token"] = "[UNK]",
        };
        var config = (JsonObject)special.DeepClone();
        config["do_lower_case"] = lowercase;
        config["strip_accents"] = null;
        config["tokenize_chinese_chars"] = true;
        config["model_max_length"] = modelMaxLength;
        config["tokenizer_class"] = "BertTokenizer";
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), config.ToJsonString(indented));
        File.WriteAllText(Path.Combine(directory, "special_tokens_map.json"), special.ToJsonString(indented));
    }

    /// <summary><c>do_lower_case</c> of a model folder's <c>tokenizer_config.json</c>; true when absent.</summary>
    public static bool ReadLowercase(string directory)
    {
        var path = Path.Combine(directory, "tokenizer_config.json");
        if (!File.Exists(path)) return true;
        return JsonNode.Parse(File.ReadAllText(path))?["do_lower_case"]?.GetValue<bool>() ?? true;
    }
}
