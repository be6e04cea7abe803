using System.Net;
using System.Text.RegularExpressions;

namespace EarlyBert.Training.Data.Email;

/// <summary>The readable text of an HTML part: no scripts, styles, comments or tags, entities decoded.</summary>
internal static partial class HtmlText
{
    public static string ToText(string html)
    {
        var text = Invisible().Replace(html, " ");
        // Inline tags vanish so that "<b>F</b>ree" stays one word; every other tag separates words.
        text = Tag().Replace(text, match => InlineTags.Contains(match.Groups["name"].Value) ? "" : " ");
        return WebUtility.HtmlDecode(text);
    }

    private static readonly HashSet<string> InlineTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "abbr", "b", "big", "em", "font", "i", "s", "small", "span", "strike", "strong", "sub", "sup", "tt", "u",
    };

    [GeneratedRegex(@"<!--.*?(-->|\z)|<(?<block>script|style)\b[^>]*>.*?(</\k<block>\s*>|\z)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"</?(?<name>[a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<![^>]*>|<\?[^>]*>")]
    private static partial Regex Tag();
}
