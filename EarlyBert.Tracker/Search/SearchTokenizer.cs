using System.Globalization;
using System.Text;
using EarlyBert.Tracker.Http;

namespace EarlyBert.Tracker.Search;

/// <summary>Kinds of token of the search language.</summary>
public enum TokenKind
{
    /// <summary>A field such as <c>status</c> or <c>params.learning_rate</c>, or a keyword.</summary>
    Identifier,

    /// <summary>A quoted string.</summary>
    String,

    /// <summary>A number.</summary>
    Number,

    /// <summary>One of <c>= != &lt;&gt; &lt; &lt;= &gt; &gt;=</c>.</summary>
    Operator,

    /// <summary><c>(</c>.</summary>
    OpenParen,

    /// <summary><c>)</c>.</summary>
    CloseParen,

    /// <summary><c>,</c>.</summary>
    Comma,

    /// <summary>The end of the filter.</summary>
    End,
}

/// <summary>One token and where it starts.</summary>
/// <param name="Kind">Kind.</param>
/// <param name="Text">The token's text (a string's unescaped content).</param>
/// <param name="Position">0-based offset in the filter.</param>
/// <param name="Number">The value of a number token.</param>
public readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0);

/// <summary>Splits a filter into tokens.</summary>
public static class SearchTokenizer
{
    /// <summary>Longest filter accepted.</summary>
    public const int MaxLength = 10_000;

    /// <summary>The tokens of <paramref name="filter"/>, ending with an <see cref="TokenKind.End"/> token.</summary>
    public static List<Token> Tokenize(string filter)
    {
        if (filter.Length > MaxLength)
        {
            throw new SearchSyntaxException($"The filter is {filter.Length} characters; the limit is {MaxLength}.", MaxLength, "a shorter filter");
        }

        var tokens = new List<Token>();
        var i = 0;
        while (i < filter.Length)
        {
            var c = filter[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(')
            {
                tokens.Add(new Token(TokenKind.OpenParen, "(", i++));
            }
            else if (c == ')')
            {
                tokens.Add(new Token(TokenKind.CloseParen, ")", i++));
            }
            else if (c == ',')
            {
                tokens.Add(new Token(TokenKind.Comma, ",", i++));
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var start = i;
                var two = i + 1 < filter.Length ? filter.Substring(i, 2) : "";
                if (two is "!=" or "<=" or ">=" or "<>")
                {
                    tokens.Add(new Token(TokenKind.Operator, two == "<>" ? "!=" : two, start));
                    i += 2;
                }
                else if (c == '!')
                {
                    throw new SearchSyntaxException($"'!' at position {start} must be followed by '='.", start, "!=");
                }
                else
                {
                    tokens.Add(new Token(TokenKind.Operator, c.ToString(), start));
                    i++;
                }
            }
            else if (c is '"' or '\'')
            {
                tokens.Add(ReadString(filter, ref i));
            }
            else if (char.IsAsciiDigit(c) || ((c is '-' or '+' or '.') && i + 1 < filter.Length && (char.IsAsciiDigit(filter[i + 1]) || filter[i + 1] == '.')))
            {
                tokens.Add(ReadNumber(filter, ref i));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < filter.Length && Keys.IsKeyChar(filter[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, filter[start..i], start));
            }
            else
            {
                throw new SearchSyntaxException(
                    $"Unexpected character '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}' at position {i}.",
                    i, "a field, a value, an operator or a parenthesis");
            }
        }

        tokens.Add(new Token(TokenKind.End, "", filter.Length));
        return tokens;
    }

    private static Token ReadString(string filter, ref int i)
    {
        var quote = filter[i];
        var start = i++;
        var text = new StringBuilder();
        while (true)
        {
            if (i >= filter.Length)
            {
                throw new SearchSyntaxException($"The string starting at position {start} is not closed.", filter.Length, $"closing {quote}");
            }

            var c = filter[i++];
            if (c == '\\' && i < filter.Length && (filter[i] == quote || filter[i] == '\\'))
            {
                text.Append(filter[i++]);
            }
            else if (c == quote && i < filter.Length && filter[i] == quote)
            {
                text.Append(quote);
                i++;
            }
            else if (c == quote)
            {
                return new Token(TokenKind.String, text.ToString(), start);
            }
            else
            {
                text.Append(c);
            }
        }
    }

    private static Token ReadNumber(string filter, ref int i)
    {
        var start = i;
        if (filter[i] is '-' or '+')
        {
            i++;
        }

        while (i < filter.Length && (char.IsAsciiDigit(filter[i]) || filter[i] == '.'))
        {
            i++;
        }

        if (i < filter.Length && filter[i] is 'e' or 'E')
        {
            i++;
            if (i < filter.Length && filter[i] is '-' or '+')
            {
                i++;
            }

            while (i < filter.Length && char.IsAsciiDigit(filter[i]))
            {
                i++;
            }
        }

        var text = filter[start..i];
        if (i < filter.Length && (char.IsAsciiLetter(filter[i]) || filter[i] == '_')
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            throw new SearchSyntaxException($"'{text}' at position {start} is not a number.", start, "a number such as 3, -0.5 or 1e-5");
        }

        return new Token(TokenKind.Number, text, start, value);
    }
}
