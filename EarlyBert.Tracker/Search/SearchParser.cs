namespace EarlyBert.Tracker.Search;

/// <summary>
/// Parses the run filter language into a syntax tree:
/// <code>
/// filter     := or
/// or         := and ("or" and)*
/// and        := unary ("and" unary)*
/// unary      := "not" unary | "(" or ")" | comparison
/// comparison := field ( op value | ["not"] ("like" | "ilike") string | ["not"] "in" "(" value ("," value)* ")" )
/// field      := attribute | ("params" | "metrics" | "tags" | "metadata") "." key
/// op         := "=" | "!=" | "&lt;&gt;" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
/// value      := number | "string" | 'string'
/// </code>
/// Keywords are case-insensitive. Errors are <see cref="SearchSyntaxException"/>s with position and expectation.
/// </summary>
public sealed class SearchParser
{
    /// <summary>Run attributes a filter can name.</summary>
    public static IReadOnlyList<string> Attributes { get; } =
        ["id", "name", "status", "experiment", "notes", "worker", "parent", "created", "started", "ended", "heartbeat"];

    /// <summary>Scopes of keyed fields.</summary>
    public static IReadOnlyList<string> Scopes { get; } = ["params", "metrics", "tags", "metadata"];

    private const int MaxDepth = 64;
    private const int MaxInValues = 1_000;
    private readonly List<Token> tokens;
    private int index;
    private int depth;

    private SearchParser(List<Token> tokens) => this.tokens = tokens;

    /// <summary>Parses <paramref name="filter"/>.</summary>
    public static SearchNode Parse(string filter)
    {
        var parser = new SearchParser(SearchTokenizer.Tokenize(filter));
        var node = parser.ParseOr();
        parser.Expect(TokenKind.End, "'and', 'or', ')' or the end of the filter");
        return node;
    }

    private Token Current => tokens[index];

    private SearchNode ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword(Current, "or"))
        {
            index++;
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private SearchNode ParseAnd()
    {
        var left = ParseUnary();
        while (IsKeyword(Current, "and"))
        {
            index++;
            left = new AndNode(left, ParseUnary());
        }

        return left;
    }

    private SearchNode ParseUnary()
    {
        if (++depth > MaxDepth)
        {
            throw new SearchSyntaxException($"The filter nests deeper than {MaxDepth} levels.", Current.Position, "a flatter filter");
        }

        try
        {
            if (IsKeyword(Current, "not"))
            {
                index++;
                return new NotNode(ParseUnary());
            }

            if (Current.Kind == TokenKind.OpenParen)
            {
                index++;
                var inner = ParseOr();
                Expect(TokenKind.CloseParen, "')'");
                return inner;
            }

            return ParseComparison();
        }
        finally
        {
            depth--;
        }
    }

    private SearchNode ParseComparison()
    {
        var field = ParseField();
        var token = Current;
        if (token.Kind == TokenKind.Operator)
        {
            index++;
            return new ComparisonNode(field, token.Text, ParseValue());
        }

        var negated = false;
        if (IsKeyword(token, "not"))
        {
            negated = true;
            index++;
            token = Current;
        }

        if (IsKeyword(token, "like") || IsKeyword(token, "ilike"))
        {
            index++;
            var pattern = ParseValue();
            if (pattern.IsNumber)
            {
                throw new SearchSyntaxException($"'{token.Text}' at position {token.Position} needs a quoted pattern.", pattern.Position, "a quoted string such as \"%debug%\"");
            }

            return new LikeNode(field, pattern, IsKeyword(token, "ilike"), negated);
        }

        if (IsKeyword(token, "in"))
        {
            index++;
            Expect(TokenKind.OpenParen, "'(' after 'in'");
            var values = new List<Literal> { ParseValue() };
            while (Current.Kind == TokenKind.Comma)
            {
                index++;
                values.Add(ParseValue());
                if (values.Count > MaxInValues)
                {
                    throw new SearchSyntaxException($"'in' takes at most {MaxInValues} values.", Current.Position, "fewer values");
                }
            }

            Expect(TokenKind.CloseParen, "',' or ')'");
            if (values.Select(v => v.IsNumber).Distinct().Count() > 1)
            {
                throw new SearchSyntaxException("The values of 'in' must be all numbers or all strings.", values[0].Position, "values of one kind");
            }

            return new InNode(field, values, negated);
        }

        throw Unexpected(negated ? "'like', 'ilike' or 'in' after 'not'" : "an operator (=, !=, <, <=, >, >=, like, ilike, in)");
    }

    private FieldRef ParseField()
    {
        var token = Current;
        if (token.Kind != TokenKind.Identifier || IsKeyword(token, "and") || IsKeyword(token, "or"))
        {
            throw Unexpected("a field such as status, name, params.<key>, metrics.<key>, tags.<key> or metadata.<key>");
        }

        index++;
        var dot = token.Text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            var attribute = token.Text.ToLowerInvariant();
            if (!Attributes.Contains(attribute))
            {
                throw new SearchSyntaxException(
                    $"Unknown field '{token.Text}' at position {token.Position}.", token.Position,
                    $"one of {string.Join(", ", Attributes)}, or params.<key>, metrics.<key>, tags.<key>, metadata.<key>");
            }

            return new FieldRef(FieldRef.Attribute, attribute, token.Position);
        }

        var scope = token.Text[..dot].ToLowerInvariant();
        var key = token.Text[(dot + 1)..];
        if (!Scopes.Contains(scope))
        {
            throw new SearchSyntaxException($"Unknown field scope '{token.Text[..dot]}' at position {token.Position}.", token.Position, "params, metrics, tags or metadata before the '.'");
        }

        if (Http.Keys.Check(key) is { } problem)
        {
            throw new SearchSyntaxException($"{problem} (position {token.Position + dot + 1})", token.Position + dot + 1, "a key");
        }

        return new FieldRef(scope, key, token.Position);
    }

    private Literal ParseValue()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
                index++;
                return new Literal(token.Number, token.Position);
            case TokenKind.String:
                index++;
                return new Literal(token.Text, token.Position);
            default:
                throw Unexpected("a number or a quoted string");
        }
    }

    private void Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw Unexpected(expected);
        }

        index++;
    }

    private SearchSyntaxException Unexpected(string expected)
    {
        var token = Current;
        var found = token.Kind == TokenKind.End ? "the end of the filter" : $"'{token.Text}'";
        return new SearchSyntaxException($"Expected {expected} at position {token.Position} but found {found}.", token.Position, expected);
    }

    private static bool IsKeyword(Token token, string keyword) =>
        token.Kind == TokenKind.Identifier && string.Equals(token.Text, keyword, StringComparison.OrdinalIgnoreCase);
}
