using System.Text;

namespace EarlyBert.Training.Data.Email;

/// <summary>Collapses every run of whitespace (line breaks and no-break spaces included) into one space.</summary>
internal static class Whitespace
{
    public static string Collapse(string text)
    {
        var collapsed = new StringBuilder(text.Length);
        var pending = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pending = collapsed.Length > 0;
                continue;
            }
            if (pending) collapsed.Append(' ');
            pending = false;
            collapsed.Append(c);
        }
        return collapsed.ToString();
    }
}
