using System.Globalization;
using System.Text;

namespace EarlyBert.Training.Tokenization;

/// <summary>
/// Hugging Face's BERT pipeline before WordPiece, done here because <c>Microsoft.ML.Tokenizers</c> 2.0.1 differs
/// from it on the golden cases: that library drops symbol characters such as <c>$</c> and emoji (HF keeps <c>$</c> as
/// punctuation and turns an emoji into <c>[UNK]</c>). Accent stripping relies on Unicode NFD, which .NET only has with
/// ICU, hence <c>InvariantGlobalization</c> is off in this project. The steps, in HF's order: special tokens written in the text are recognised first;
/// <c>clean_text</c> drops NUL, U+FFFD and "other" characters (Cc, Cf, Co, Cs, Cn, except tab/newline/CR) and turns
/// white space into spaces; CJK ideographs are isolated; for uncased vocabularies accents are stripped (NFD, then
/// Mn removed) and the text lowercased; then words are split on white space and every punctuation character
/// (ASCII punctuation ranges or Unicode P*) stands alone.
/// </summary>
public static class HfPreTokenizer
{
    /// <summary>A piece of the text: a special token's id, or a word for WordPiece.</summary>
    public readonly record struct Piece(int? SpecialId, string? Word);

    /// <summary>Splits <paramref name="text"/> into special tokens and words, as the fast tokenizer does.</summary>
    public static IEnumerable<Piece> Split(string text, bool lowercase, IReadOnlyDictionary<string, int> specialTokens)
    {
        var position = 0;
        while (position < text.Length)
        {
            var (at, token) = NextSpecial(text, position, specialTokens);
            var end = at < 0 ? text.Length : at;
            foreach (var word in Words(Normalize(text[position..end], lowercase)))
                yield return new Piece(null, word);
            if (at < 0) yield break;
            yield return new Piece(specialTokens[token!], null);
            position = at + token!.Length;
        }
    }

    /// <summary>HF <c>BertNormalizer</c>: clean text, isolate CJK, strip accents and lowercase when uncased.</summary>
    public static string Normalize(string text, bool lowercase)
    {
        var builder = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune)) continue;
            if (IsWhitespace(rune)) builder.Append(' ');
            else if (IsCjk(rune.Value)) builder.Append(' ').Append(rune.ToString()).Append(' ');
            else builder.Append(rune.ToString());
        }
        var cleaned = builder.ToString();
        if (!lowercase) return cleaned;
        var stripped = new StringBuilder(cleaned.Length);
        foreach (var rune in cleaned.Normalize(NormalizationForm.FormD).EnumerateRunes())
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
                stripped.Append(rune.ToString());
        return stripped.ToString().ToLowerInvariant();
    }

    private static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune) || IsPunctuation(rune))
            {
                if (word.Length > 0) yield return word.ToString();
                word.Clear();
                if (!Rune.IsWhiteSpace(rune)) yield return rune.ToString();
            }
            else word.Append(rune.ToString());
        }
        if (word.Length > 0) yield return word.ToString();
    }

    private static (int At, string? Token) NextSpecial(string text, int from, IReadOnlyDictionary<string, int> specialTokens)
    {
        var best = (At: -1, Token: (string?)null);
        foreach (var token in specialTokens.Keys)
        {
            var at = text.IndexOf(token, from, StringComparison.Ordinal);
            if (at >= 0 && (best.At < 0 || at < best.At || (at == best.At && token.Length > best.Token!.Length)))
                best = (at, token);
        }
        return best;
    }

    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control
            or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;

    private static bool IsWhitespace(Rune rune) => rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.IsWhiteSpace(rune);

    private static bool IsPunctuation(Rune rune)
    {
        var c = rune.Value;
        if (c is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    private static bool IsCjk(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
