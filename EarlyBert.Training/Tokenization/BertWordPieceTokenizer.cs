using System.Text;
using Microsoft.ML.Tokenizers;

namespace EarlyBert.Training.Tokenization;

/// <summary>
/// BERT WordPiece tokenization that gives what Hugging Face's fast <c>BertTokenizer</c> gives (clean text, CJK
/// characters split, lowercase with accent stripping for uncased vocabularies, special tokens written in the text
/// recognised, pairs with token types, <c>longest_first</c> truncation, padding and attention masks). WordPiece
/// itself is <c>Microsoft.ML.Tokenizers</c>' <see cref="BertTokenizer"/>; where it differs from Hugging Face, the
/// text is split here first (see <see cref="HfPreTokenizer"/>).
/// </summary>
public sealed class BertWordPieceTokenizer
{
    private readonly BertTokenizer tokenizer;
    private readonly Dictionary<string, int> specialTokens;

    private BertWordPieceTokenizer(BertTokenizer tokenizer, bool lowercase)
    {
        this.tokenizer = tokenizer;
        Lowercase = lowercase;
        specialTokens = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [tokenizer.ClassificationToken] = tokenizer.ClassificationTokenId,
            [tokenizer.SeparatorToken] = tokenizer.SeparatorTokenId,
            [tokenizer.PaddingToken] = tokenizer.PaddingTokenId,
            [tokenizer.MaskingToken] = tokenizer.MaskingTokenId,
        };
        if (tokenizer.UnknownToken is { } unknown && tokenizer.EncodeToIds(unknown, false, false, false) is [var unknownId])
            specialTokens[unknown] = unknownId;
    }

    /// <summary>Whether text is lowercased and stripped of accents (uncased vocabularies).</summary>
    public bool Lowercase { get; }

    /// <summary>Id of <c>[CLS]</c>.</summary>
    public int ClsId => tokenizer.ClassificationTokenId;
    /// <summary>Id of <c>[SEP]</c>.</summary>
    public int SepId => tokenizer.SeparatorTokenId;
    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PadId => tokenizer.PaddingTokenId;

    /// <summary>Reads a <c>vocab.txt</c> (one token a line; CRLF line ends accepted).</summary>
    public static BertWordPieceTokenizer FromVocabulary(string vocabularyFile, bool lowercase)
    {
        // The library keeps a trailing '\r' as part of each token; MiniLM's vocabulary ships with CRLF line ends.
        var text = File.ReadAllText(vocabularyFile).Replace("\r", "", StringComparison.Ordinal);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowercase,
            RemoveNonSpacingMarks = lowercase,
            ApplyBasicTokenization = true,
            SplitOnSpecialTokens = true,
            IndividuallyTokenizeCjk = true,
        };
        return new BertWordPieceTokenizer(BertTokenizer.Create(stream, options), lowercase);
    }

    /// <summary>Reads <c>vocab.txt</c> and <c>do_lower_case</c> (from <c>tokenizer_config.json</c>) of a model folder.</summary>
    public static BertWordPieceTokenizer FromModelDirectory(string directory) =>
        FromVocabulary(Path.Combine(directory, "vocab.txt"), TokenizerFiles.ReadLowercase(directory));

    /// <summary>Token ids of <paramref name="text"/> without special tokens around it.</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        var ids = new List<int>();
        foreach (var piece in HfPreTokenizer.Split(text, Lowercase, specialTokens))
        {
            if (piece.SpecialId is { } id) ids.Add(id);
            // One word at a time: the library only runs WordPiece (longest match first, [UNK] past 100 characters).
            else ids.AddRange(tokenizer.EncodeToIds(piece.Word!, addSpecialTokens: false, considerPreTokenization: false, considerNormalization: false));
        }
        return ids;
    }

    /// <summary>
    /// Encodes one text or a pair: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, truncated
    /// <c>longest_first</c> to <paramref name="maxLength"/> when given, and padded to it when
    /// <paramref name="padToMaxLength"/> is set.
    /// </summary>
    public TokenizedInput Encode(string text, string? pair = null, int? maxLength = null, bool padToMaxLength = false)
    {
        var first = Tokenize(text).ToList();
        var second = pair is null ? null : Tokenize(pair).ToList();
        if (maxLength is { } limit)
            Truncation.LongestFirst(first, second, limit - (second is null ? 2 : 3));

        var ids = new List<int>(first.Count + (second?.Count ?? 0) + 3) { ClsId };
        ids.AddRange(first);
        ids.Add(SepId);
        var types = Enumerable.Repeat(0, ids.Count).ToList();
        if (second is not null)
        {
            ids.AddRange(second);
            ids.Add(SepId);
            types.AddRange(Enumerable.Repeat(1, second.Count + 1));
        }
        var encoded = new TokenizedInput(ids, types, Enumerable.Repeat(1, ids.Count).ToList());
        return padToMaxLength && maxLength is { } length ? Pad(encoded, length) : encoded;
    }

    /// <summary>Encodes a batch of texts (and optional pairs) and pads it as <paramref name="padding"/> says.</summary>
    public IReadOnlyList<TokenizedInput> EncodeBatch(IReadOnlyList<(string Text, string? Pair)> items, int? maxLength, Padding padding)
    {
        if (padding == Padding.MaxLength && maxLength is null)
            throw new ArgumentException("Padding to max length needs a max length.", nameof(padding));
        var encoded = items.Select(item => Encode(item.Text, item.Pair, maxLength)).ToList();
        var target = padding switch
        {
            Padding.Longest => encoded.Count == 0 ? 0 : encoded.Max(e => e.Length),
            Padding.MaxLength => maxLength!.Value,
            _ => 0,
        };
        return padding == Padding.None ? encoded : encoded.Select(e => Pad(e, target)).ToList();
    }

    /// <summary>Pads <paramref name="input"/> on the right with <c>[PAD]</c> up to <paramref name="length"/>.</summary>
    public TokenizedInput Pad(TokenizedInput input, int length)
    {
        var missing = length - input.Length;
        if (missing <= 0) return input;
        return new TokenizedInput(
            input.InputIds.Concat(Enumerable.Repeat(PadId, missing)).ToList(),
            input.TokenTypeIds.Concat(Enumerable.Repeat(0, missing)).ToList(),
            input.AttentionMask.Concat(Enumerable.Repeat(0, missing)).ToList());
    }
}
