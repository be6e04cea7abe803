using System.Globalization;
using System.Text;

namespace EarlyBert.Trainer.Tokenization;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c> steps applied before <c>Microsoft.ML.Tokenizers</c> sees the text, where
/// the two libraries disagree: <c>clean_text</c> removes NUL, U+FFFD and every "other" character (categories Cc,
/// Cf, Co, Cs, Cn, but not tab, newline and carriage return, which become spaces like all white space), so a
/// zero-width space (Cf) joins the words around it instead of splitting them.
/// </summary>
public static class HfNormalizer
{
    /// <summary>Cleans <paramref name="text"/> as Hugging Face's <c>clean_text</c> does.</summary>
    public static string Prepare(string text, bool lowercase)
    {
        _ = lowercase;
        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == 0 || rune.Value == 0xFFFD || IsControl(rune)) continue;
            builder.Append(IsWhitespace(rune) ? " " : rune.ToString());
        }
        return builder.ToString();
    }

    private static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
    }

    private static bool IsWhitespace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;
}
