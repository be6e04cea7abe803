using System.Text.Json.Nodes;
using EarlyBert.Training.Tokenization;

namespace EarlyBert.Training.Tests;

public sealed class GoldenTokenizerTests
{
    private static readonly BertWordPieceTokenizer Tokenizer = BertWordPieceTokenizer.FromVocabulary(Golden.File("vocab.txt"), lowercase: true);

    public static TheoryData<int> Singles() => Indexes("single");
    public static TheoryData<int> Pairs() => Indexes("pairs");
    public static TheoryData<int> Truncated() => Indexes("truncated");

    [Theory, MemberData(nameof(Singles))]
    public void Single_text_gives_the_ids_of_the_fast_tokenizer(int index)
    {
        var case_ = Case("single", index);
        var encoded = Tokenizer.Encode(case_["text"]!.GetValue<string>());
        Assert.Equal(Ints(case_["input_ids"]), encoded.InputIds);
        Assert.All(encoded.TokenTypeIds, t => Assert.Equal(0, t));
    }

    [Theory, MemberData(nameof(Pairs))]
    public void Pair_gives_the_ids_and_token_types_of_the_fast_tokenizer(int index)
    {
        var case_ = Case("pairs", index);
        var encoded = Tokenizer.Encode(case_["text"]!.GetValue<string>(), case_["text_pair"]!.GetValue<string>());
        Assert.Equal(Ints(case_["input_ids"]), encoded.InputIds);
        Assert.Equal(Ints(case_["token_type_ids"]), encoded.TokenTypeIds);
    }

    [Theory, MemberData(nameof(Truncated))]
    public void Longest_first_truncation_and_padding_match_the_fast_tokenizer(int index)
    {
        var case_ = Case("truncated", index);
        var encoded = Tokenizer.Encode(case_["text"]!.GetValue<string>(), case_["text_pair"]?.GetValue<string>(),
            case_["max_length"]!.GetValue<int>(), padToMaxLength: true);
        Assert.Equal(Ints(case_["input_ids"]), encoded.InputIds);
        Assert.Equal(Ints(case_["token_type_ids"]), encoded.TokenTypeIds);
        Assert.Equal(Ints(case_["attention_mask"]), encoded.AttentionMask);
    }

    [Fact]
    public void Batch_padding_to_the_longest_masks_the_padding()
    {
        var batch = Tokenizer.EncodeBatch([("x", null), ("Hello, world!", null)], maxLength: null, Padding.Longest);
        Assert.Equal([2, 66, 3, 0, 0, 0, 0, 0, 0], batch[0].InputIds);
        Assert.Equal([1, 1, 1, 0, 0, 0, 0, 0, 0], batch[0].AttentionMask);
        Assert.Equal(9, batch[1].Length);
    }

    private static TheoryData<int> Indexes(string group)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Golden.Json("tokenizer.json")[group]!.AsArray().Count; i++) data.Add(i);
        return data;
    }

    private static JsonObject Case(string group, int index) => Golden.Json("tokenizer.json")[group]![index]!.AsObject();

    private static int[] Ints(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
}
